using System.Text.Json;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// Python's http.client sending several requests on one connection to the proxy: absolute-form requests for
/// plain HTTP, or through one CONNECT tunnel (<c>set_tunnel</c>) with TLS verified against one CA file alone.
/// </summary>
internal static class PythonHttpClient
{
    private const string Script = """
        import http.client, json, ssl, sys
        spec = json.load(sys.stdin)
        tunnel = spec.get("tunnel")
        if tunnel:
            ctx = ssl.create_default_context(cafile=spec["cafile"])
            if spec.get("strict"):
                ctx.verify_flags |= ssl.VERIFY_X509_STRICT
            conn = http.client.HTTPSConnection("127.0.0.1", spec["proxy_port"], context=ctx, timeout=30)
            conn.set_tunnel(tunnel["host"], tunnel["port"])
        else:
            conn = http.client.HTTPConnection("127.0.0.1", spec["proxy_port"], timeout=30)
        out = {"responses": []}
        for r in spec["requests"]:
            body = r.get("body")
            if r.get("chunks") is not None:
                conn.request(r["method"], r["target"], body=iter([c.encode() for c in r["chunks"]]), encode_chunked=True)
            else:
                conn.request(r["method"], r["target"], body=body.encode() if body is not None else None)
            resp = conn.getresponse()
            text = resp.read().decode(errors="replace")
            out["responses"].append({
                "status": resp.status,
                "body": text,
                "chunked": resp.chunked,
                "local_port": conn.sock.getsockname()[1] if conn.sock else None,
            })
            if tunnel and "peer" not in out:
                cert = conn.sock.getpeercert()
                out["peer"] = {
                    "serial": cert["serialNumber"],
                    "issuer": dict(p for rdn in cert["issuer"] for p in rdn).get("commonName"),
                    "san": [kind + ":" + value for kind, value in cert.get("subjectAltName", ())],
                }
        conn.close()
        print(json.dumps(out))
        """;

    public sealed record Request(string Method, string Target, string? Body = null, string[]? Chunks = null);

    public sealed record Response(int Status, string Body, bool Chunked, int? LocalPort);

    public sealed record Peer(string Serial, string Issuer, string[] San);

    public sealed record Result(Response[] Responses, Peer? Peer);

    /// <summary>Requests in absolute form on one plain connection to the proxy.</summary>
    public static Task<Result> PlainAsync(MonitorProcess monitor, params Request[] requests) =>
        RunAsync(new { proxy_port = monitor.Port, requests = Spec(requests) });

    /// <summary>Requests in origin form through one CONNECT tunnel to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static Task<Result> TunnelAsync(MonitorProcess monitor, string host, int port, string caFile, bool strict, params Request[] requests) =>
        RunAsync(new { proxy_port = monitor.Port, tunnel = new { host, port }, cafile = caFile, strict, requests = Spec(requests) });

    private static object[] Spec(Request[] requests) =>
        requests.Select(r => (object)new { method = r.Method, target = r.Target, body = r.Body, chunks = r.Chunks }).ToArray();

    private static async Task<Result> RunAsync(object spec)
    {
        var result = await ProcessRunner.RunAsync("python3", ["-c", Script], stdin: JsonSerializer.Serialize(spec));
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        var responses = root.GetProperty("responses").EnumerateArray().Select(r => new Response(
            r.GetProperty("status").GetInt32(),
            r.GetProperty("body").GetString()!,
            r.GetProperty("chunked").GetBoolean(),
            r.GetProperty("local_port").ValueKind == JsonValueKind.Number ? r.GetProperty("local_port").GetInt32() : null)).ToArray();
        Peer? peer = root.TryGetProperty("peer", out var p)
            ? new Peer(p.GetProperty("serial").GetString()!, p.GetProperty("issuer").GetString()!,
                p.GetProperty("san").EnumerateArray().Select(s => s.GetString()!).ToArray())
            : null;
        return new Result(responses, peer);
    }
}
