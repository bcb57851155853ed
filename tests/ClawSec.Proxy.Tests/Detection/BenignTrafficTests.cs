using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Detection;

/// <summary>Ordinary agent and browser traffic that must not be recorded.</summary>
public sealed class BenignTrafficTests(SharedMonitor shared) : IClassFixture<SharedMonitor>
{
    private const string BrowserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    public static TheoryData<string, string> Cases() => new()
    {
        { "browser GET", "curl" }, { "browser GET", "urllib" },
        { "JSON POST", "curl" }, { "JSON POST", "urllib" },
        { "short bearer token", "curl" }, { "short bearer token", "urllib" },
        { "box-shadow path", "curl" }, { "box-shadow path", "urllib" },
        { "OpenSSL user agent", "curl" }, { "OpenSSL user agent", "urllib" },
        { "action=remove", "curl" }, { "action=remove", "urllib" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Benign_request_is_forwarded_and_not_recorded(string kind, string client)
    {
        var path = "/";
        var headers = new Dictionary<string, string>();
        string? body = null;
        switch (kind)
        {
            case "browser GET":
                path = "/index.html";
                headers["User-Agent"] = BrowserAgent;
                break;
            case "JSON POST":
                path = "/v1/messages";
                headers["Content-Type"] = "application/json";
                body = """{"model":"claude-sonnet-4","max_tokens":512,"messages":[{"role":"user","content":"Plan the task-antelope rollout for asiapacific; skip the ask-me step."}]}""";
                break;
            case "short bearer token":
                headers["Authorization"] = "Bearer eyJhbGciOiJIUzI1NiJ9";
                break;
            case "box-shadow path":
                path = "/css/box-shadow.css";
                break;
            case "OpenSSL user agent":
                headers["User-Agent"] = "curl/7.68.0 OpenSSL/1.1.1nc";
                break;
            case "action=remove":
                path = "/items?action=remove&id=42";
                break;
        }

        var url = shared.Upstream.Url + path;
        var result = client == "curl"
            ? await Clients.CurlAsync(shared.Monitor.ProxyUrl, url,
                [.. headers.SelectMany(h => new[] { "-H", $"{h.Key}: {h.Value}" }), .. body is null ? [] : new[] { "--data-binary", body }])
            : await Clients.UrllibAsync(shared.Monitor.ProxyUrl, url, headers, body);

        Assert.Equal(200, Clients.StatusOf(result));
        await shared.SettleAsync();
        Assert.Empty(shared.RecordsFor($"127.0.0.1:{shared.Upstream.Port}"));
    }
}
