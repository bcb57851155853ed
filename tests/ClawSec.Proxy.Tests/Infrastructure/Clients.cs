namespace ClawSec.Proxy.Tests.Infrastructure;

/// <summary>Clients nobody here wrote: curl and Python's urllib, run as separate processes.</summary>
internal static class Clients
{
    /// <summary><c>curl -x proxy</c> with the given extra arguments; returns the body and, last, the status code.</summary>
    public static Task<ProcessResult> CurlAsync(string proxy, string url, params string[] extra)
    {
        var args = new List<string> { "-sS", "-x", proxy, "-o", "-", "-w", "\n%{http_code}", "--max-time", "30" };
        args.AddRange(extra);
        args.Add(url);
        return ProcessRunner.RunAsync("curl", args);
    }

    private const string UrllibScript = """
        import json, ssl, sys, urllib.request, urllib.error
        spec = json.load(sys.stdin)
        handlers = [urllib.request.ProxyHandler({"http": spec["proxy"], "https": spec["proxy"]})]
        if spec.get("cafile"):
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=spec["cafile"])))
        opener = urllib.request.build_opener(*handlers)
        data = spec["body"].encode() if spec.get("body") is not None else None
        req = urllib.request.Request(spec["url"], data=data, headers=spec.get("headers", {}), method=spec.get("method"))
        try:
            with opener.open(req, timeout=30) as resp:
                sys.stdout.write(resp.read().decode(errors="replace") + "\n" + str(resp.status))
        except urllib.error.HTTPError as e:
            sys.stdout.write(e.read().decode(errors="replace") + "\n" + str(e.code))
        """;

    /// <summary>
    /// Python's urllib through a ProxyHandler; returns the body and, last, the status code. With
    /// <paramref name="caFile"/>, HTTPS is verified against that PEM file alone.
    /// </summary>
    public static Task<ProcessResult> UrllibAsync(string proxy, string url, IReadOnlyDictionary<string, string>? headers = null,
        string? body = null, string? method = null, string? caFile = null)
    {
        var spec = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["proxy"] = proxy,
            ["url"] = url,
            ["headers"] = headers ?? new Dictionary<string, string>(),
            ["body"] = body,
            ["method"] = method,
            ["cafile"] = caFile,
        });
        return ProcessRunner.RunAsync("python3", ["-c", UrllibScript], stdin: spec);
    }

    /// <summary>The status code a client printed on its last line.</summary>
    public static int StatusOf(ProcessResult result)
    {
        var last = result.Stdout.TrimEnd().Split('\n')[^1];
        return int.TryParse(last, out var status) ? status : throw new InvalidOperationException($"no status in output: {result.Stdout} {result.Stderr}");
    }
}
