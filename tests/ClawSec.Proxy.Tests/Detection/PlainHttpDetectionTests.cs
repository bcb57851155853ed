using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Detection;

/// <summary>
/// Each of the twelve pattern names, carried in the URL query, a header and a Content-Length body, sent by curl
/// and by Python's urllib through the proxy: recorded once, with dest = host:port, though the host does not resolve.
/// </summary>
public sealed class PlainHttpDetectionTests(SharedMonitor shared) : IClassFixture<SharedMonitor>
{
    private static int _case;

    public static TheoryData<string, int, string, string> Cases()
    {
        var data = new TheoryData<string, int, string, string>();
        for (var i = 0; i < Payloads.All.Count; i++)
        {
            foreach (var placement in new[] { "query", "header", "body" })
            {
                foreach (var client in new[] { "curl", "urllib" })
                {
                    data.Add(Payloads.All[i].Pattern, i, placement, client);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Pattern_is_recorded_once_with_host_and_port_as_dest(string pattern, int payloadIndex, string placement, string client)
    {
        var payload = Payloads.All[payloadIndex].Payload;
        var host = $"case-{Interlocked.Increment(ref _case)}-{Guid.NewGuid().ToString("N")[..6]}.invalid";
        var url = $"http://{host}/submit" + (placement == "query" ? "?q=" + Uri.EscapeDataString(payload) : "");
        var headers = placement == "header" ? new Dictionary<string, string> { ["X-Data"] = payload } : null;
        var body = placement == "body" ? payload : null;

        var result = client == "curl"
            ? await Clients.CurlAsync(shared.Monitor.ProxyUrl, url,
                [.. headers is null ? [] : new[] { "-H", $"X-Data: {payload}" }, .. body is null ? [] : new[] { "--data-binary", body }])
            : await Clients.UrllibAsync(shared.Monitor.ProxyUrl, url, headers, body);

        Assert.Equal(502, Clients.StatusOf(result));
        await shared.SettleAsync();
        var records = shared.RecordsFor(host + ":80").Where(r => ThreatLogFile.Get(r, "pattern") == pattern).ToList();
        var record = Assert.Single(records);
        Assert.Equal("outbound", ThreatLogFile.Get(record, "direction"));
        Assert.Equal("http", ThreatLogFile.Get(record, "protocol"));
        Assert.Equal("127.0.0.1", ThreatLogFile.Get(record, "source"));
    }

    [Fact]
    public async Task A_request_to_a_live_upstream_is_forwarded_and_recorded_against_it()
    {
        var key = FakeSecrets.AnthropicKey();
        var result = await Clients.CurlAsync(shared.Monitor.ProxyUrl, shared.Upstream.Url + "/upload", "--data-binary", "token=" + key);

        Assert.Equal(200, Clients.StatusOf(result));
        Assert.Contains(shared.Upstream.Requests, r => System.Text.Encoding.UTF8.GetString(r.Body) == "token=" + key);
        var record = await shared.Monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == $"127.0.0.1:{shared.Upstream.Port}"
            && ThreatLogFile.Get(r, "pattern") == "ai_api_key");
        Assert.DoesNotContain(key, ThreatLogFile.Get(record, "snippet"));
        Assert.Equal("EXFIL", ThreatLogFile.Get(record, "threat_type"));
    }
}
