using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// With <c>--no-mitm</c>, CONNECT is an opaque tunnel: the client's TLS session is with the upstream itself, so
/// it sees the upstream's own certificate and nothing inside is inspected; plain HTTP through the same proxy
/// is still scanned.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class OpaqueTunnelTests(InterceptionFixture fixture)
{
    [Fact]
    public async Task Python_sees_the_upstreams_own_certificate_through_an_opaque_tunnel()
    {
        var host = fixture.NewHost();

        var result = await PythonHttpClient.TunnelAsync(fixture.OpaqueMonitor, host, fixture.Https.Port, fixture.UpstreamCaFile, strict: true,
            new PythonHttpClient.Request("GET", "/echo"));

        var response = Assert.Single(result.Responses);
        Assert.Equal(200, response.Status);
        Assert.Equal(InterceptionUpstream.EchoLine("https", $"{host}:{fixture.Https.Port}", "/echo", ""), response.Body);
        Assert.NotNull(result.Peer);
        Assert.Equal("Interception Test Upstream CA", result.Peer.Issuer);
        Assert.Equal(fixture.UpstreamCertificates.For(host).SerialNumber.TrimStart('0'), result.Peer.Serial.TrimStart('0'));
    }

    [Fact]
    public async Task Curl_trusting_only_the_upstreams_CA_gets_through_an_opaque_tunnel_but_not_through_interception()
    {
        var url = fixture.Https.UrlFor(fixture.NewHost()) + "/echo";

        var opaque = await Clients.CurlAsync(fixture.OpaqueMonitor.ProxyUrl, url, "--cacert", fixture.UpstreamCaFile);
        var intercepted = await Clients.CurlAsync(fixture.Monitor.ProxyUrl, url, "--cacert", fixture.UpstreamCaFile);

        Assert.True(opaque.ExitCode == 0, opaque.Stderr);
        Assert.Equal(200, Clients.StatusOf(opaque));
        // 60: the peer's certificate cannot be verified with the given CA, for the intercepting proxy serves its own leaf.
        Assert.Equal(60, intercepted.ExitCode);
    }

    [Fact]
    public async Task A_secret_in_an_opaque_tunnel_is_not_inspected_while_plain_HTTP_through_the_same_proxy_is()
    {
        var tunnelled = fixture.NewHost();
        var plain = fixture.NewHost();
        var tunnelDest = $"{tunnelled}:{fixture.Https.Port}";
        var plainDest = $"{plain}:{fixture.Http.Port}";
        var tunnelledKey = FakeSecrets.AnthropicKey();

        var opaque = await Clients.CurlAsync(fixture.OpaqueMonitor.ProxyUrl, fixture.Https.UrlFor(tunnelled) + "/echo",
            "--cacert", fixture.UpstreamCaFile, "--data-binary", "key=" + tunnelledKey);
        var scanned = await Clients.CurlAsync(fixture.OpaqueMonitor.ProxyUrl, fixture.Http.UrlFor(plain) + "/echo",
            "--data-binary", "key=" + FakeSecrets.AnthropicKey());

        // The key went through the tunnel and came back: it was forwarded, just not read.
        Assert.Contains(tunnelledKey, opaque.Stdout);
        Assert.Equal(200, Clients.StatusOf(opaque));
        Assert.Equal(200, Clients.StatusOf(scanned));
        // One writer appends records in the order they were found, and the tunnelled request finished before the
        // plain one began, so once the plain request's record is on disk a record from the tunnel would be too.
        await fixture.RecordAsync(plainDest, "ai_api_key", fixture.OpaqueMonitor);
        Assert.DoesNotContain(fixture.OpaqueMonitor.Threats.ReadAll(), r => ThreatLogFile.Get(r, "dest") == tunnelDest);
        // The destination is still logged, before the tunnel opens.
        var log = await File.ReadAllTextAsync(Path.Combine(fixture.OpaqueMonitor.LogDir, "clawsec.log"));
        Assert.Contains($"tunnel 127.0.0.1 -> {tunnelDest} (not inspected: MITM off)", log);
    }
}
