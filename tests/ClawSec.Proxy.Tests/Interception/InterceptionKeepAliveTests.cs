using System.Runtime.CompilerServices;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// Two requests on one client connection are both answered and both inspected: absolute-form requests to two
/// different upstreams on one plain connection, and two requests through one intercepted tunnel. Each request
/// carries its own secret, so two records show that the second request was scanned too.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class InterceptionKeepAliveTests(InterceptionFixture fixture)
{
    [Fact]
    public async Task Python_sends_plain_requests_to_two_upstreams_on_one_proxy_connection_and_both_are_inspected()
    {
        var (hostA, hostB) = (fixture.NewHost(), fixture.NewHost());
        var (keyA, keyB) = (FakeSecrets.AnthropicKey(), FakeSecrets.AnthropicKey());

        var result = await PythonHttpClient.PlainAsync(fixture.Monitor,
            new("POST", fixture.Http.UrlFor(hostA) + "/echo", "key=" + keyA),
            new("POST", fixture.OtherHttp.UrlFor(hostB) + "/echo", "key=" + keyB));

        Assert.Equal(
            [
                InterceptionUpstream.EchoLine("alpha", $"{hostA}:{fixture.Http.Port}", "/echo", "key=" + keyA),
                InterceptionUpstream.EchoLine("beta", $"{hostB}:{fixture.OtherHttp.Port}", "/echo", "key=" + keyB),
            ],
            result.Responses.Select(r => r.Body));
        Assert.All(result.Responses, r => Assert.Equal(200, r.Status));
        // The same local port after each response: the proxy kept the one connection open.
        Assert.Single(result.Responses.Select(r => r.LocalPort).Distinct());
        Assert.NotNull(result.Responses[0].LocalPort);
        await AssertRecordedAsync($"{hostA}:{fixture.Http.Port}", "http");
        await AssertRecordedAsync($"{hostB}:{fixture.OtherHttp.Port}", "http");
    }

    [Fact]
    public async Task Curl_reuses_its_proxy_connection_for_a_second_upstream_and_both_requests_are_inspected()
    {
        var (hostA, hostB) = (fixture.NewHost(), fixture.NewHost());
        var (keyA, keyB) = (FakeSecrets.AnthropicKey(), FakeSecrets.AnthropicKey());

        // --next keeps curl's connection cache, so the second transfer may reuse the first one's connection.
        var result = await CurlTwiceAsync(
            [fixture.Http.UrlFor(hostA) + "/echo", "--data-binary", "key=" + keyA],
            [fixture.OtherHttp.UrlFor(hostB) + "/echo", "--data-binary", "key=" + keyB]);

        Assert.Equal(
            [
                InterceptionUpstream.EchoLine("alpha", $"{hostA}:{fixture.Http.Port}", "/echo", "key=" + keyA),
                "connects=1 status=200",
                InterceptionUpstream.EchoLine("beta", $"{hostB}:{fixture.OtherHttp.Port}", "/echo", "key=" + keyB),
                "connects=0 status=200",
            ],
            result);
        await AssertRecordedAsync($"{hostA}:{fixture.Http.Port}", "http");
        await AssertRecordedAsync($"{hostB}:{fixture.OtherHttp.Port}", "http");
    }

    [Fact]
    public async Task Python_sends_two_requests_through_one_intercepted_tunnel_and_both_are_inspected()
    {
        var host = fixture.NewHost();
        var (keyA, keyB) = (FakeSecrets.AnthropicKey(), FakeSecrets.AnthropicKey());

        var result = await PythonHttpClient.TunnelAsync(fixture.Monitor, host, fixture.Https.Port, fixture.CaFile, strict: false,
            new("POST", "/echo?n=1", "key=" + keyA),
            new("POST", "/echo?n=2", "key=" + keyB));

        Assert.Equal(
            [
                InterceptionUpstream.EchoLine("https", $"{host}:{fixture.Https.Port}", "/echo?n=1", "key=" + keyA),
                InterceptionUpstream.EchoLine("https", $"{host}:{fixture.Https.Port}", "/echo?n=2", "key=" + keyB),
            ],
            result.Responses.Select(r => r.Body));
        Assert.Single(result.Responses.Select(r => r.LocalPort).Distinct());
        await AssertRecordedTwiceAsync($"{host}:{fixture.Https.Port}");
    }

    [Fact]
    public async Task Curl_sends_two_requests_through_one_intercepted_tunnel_and_both_are_inspected()
    {
        var host = fixture.NewHost();
        var (keyA, keyB) = (FakeSecrets.AnthropicKey(), FakeSecrets.AnthropicKey());
        var url = fixture.Https.UrlFor(host) + "/echo";

        var result = await CurlTwiceAsync(
            [url, "--cacert", fixture.CaFile, "--data-binary", "key=" + keyA],
            [url, "--cacert", fixture.CaFile, "--data-binary", "key=" + keyB]);

        Assert.Equal(
            [
                InterceptionUpstream.EchoLine("https", $"{host}:{fixture.Https.Port}", "/echo", "key=" + keyA),
                "connects=1 status=200",
                InterceptionUpstream.EchoLine("https", $"{host}:{fixture.Https.Port}", "/echo", "key=" + keyB),
                "connects=0 status=200",
            ],
            result);
        await AssertRecordedTwiceAsync($"{host}:{fixture.Https.Port}");
    }

    [Fact]
    public async Task HttpClient_sends_two_requests_through_one_intercepted_tunnel_and_both_are_inspected()
    {
        var host = fixture.NewHost();
        var (keyA, keyB) = (FakeSecrets.AnthropicKey(), FakeSecrets.AnthropicKey());
        var connections = new StrongBox<int>();
        using var client = ProxiedHttpClient.Create(fixture.Monitor, fixture.Ca, connections: connections);
        var url = fixture.Https.UrlFor(host) + "/echo";

        using var first = await client.PostAsync(url, new StringContent("key=" + keyA));
        var firstBody = await first.Content.ReadAsStringAsync();
        using var second = await client.PostAsync(url, new StringContent("key=" + keyB));
        var secondBody = await second.Content.ReadAsStringAsync();

        Assert.Equal(InterceptionUpstream.EchoLine("https", $"{host}:{fixture.Https.Port}", "/echo", "key=" + keyA), firstBody);
        Assert.Equal(InterceptionUpstream.EchoLine("https", $"{host}:{fixture.Https.Port}", "/echo", "key=" + keyB), secondBody);
        Assert.Equal(1, connections.Value);
        await AssertRecordedTwiceAsync($"{host}:{fixture.Https.Port}");
    }

    /// <summary>Runs curl once with two transfers; returns its output lines, each transfer's then its summary.</summary>
    private async Task<string[]> CurlTwiceAsync(string[] first, string[] second)
    {
        string[] common = ["-sS", "--max-time", "30", "-x", fixture.Monitor.ProxyUrl, "-w", "\nconnects=%{num_connects} status=%{http_code}\n"];
        var result = await ProcessRunner.RunAsync("curl", [.. common, .. first, "--next", .. common, .. second]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private async Task AssertRecordedAsync(string dest, string protocol)
    {
        var record = await fixture.Monitor.Threats.WaitForAsync(r => IsKeyGoingOut(r, dest));
        Assert.Equal(protocol, ThreatLogFile.Get(record, "protocol"));
    }

    /// <summary>Two outbound records for the destination, from two different requests.</summary>
    private async Task AssertRecordedTwiceAsync(string dest)
    {
        var records = await fixture.Monitor.Threats.WaitForCountAsync(r => IsKeyGoingOut(r, dest), 2);
        Assert.Equal(2, records.Count);
        Assert.Equal(2, records.Select(r => ThreatLogFile.Get(r, "request_id")).Distinct().Count());
        Assert.All(records, r => Assert.Equal("https", ThreatLogFile.Get(r, "protocol")));
    }

    // The upstream echoes each key back, so inbound records exist too; the requests' own are the outbound ones.
    private static bool IsKeyGoingOut(System.Text.Json.JsonElement record, string dest) =>
        ThreatLogFile.Get(record, "dest") == dest && ThreatLogFile.Get(record, "pattern") == "ai_api_key"
        && ThreatLogFile.Get(record, "direction") == "outbound";
}
