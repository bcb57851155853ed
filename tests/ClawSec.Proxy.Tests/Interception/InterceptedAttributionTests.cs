using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// Threats found inside intercepted HTTPS carry where they came from and went to: a secret in the request body
/// (outbound) and an injection in the response (inbound), each as protocol https, dest host:port, source 127.0.0.1.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class InterceptedAttributionTests(InterceptionFixture fixture)
{
    [Theory]
    [InlineData("curl")]
    [InlineData("urllib")]
    [InlineData("HttpClient")]
    public async Task A_secret_sent_and_an_injection_received_over_intercepted_HTTPS_are_recorded_with_their_attribution(string client)
    {
        var host = fixture.NewHost();
        var dest = $"{host}:{fixture.Https.Port}";
        var url = fixture.Https.UrlFor(host) + "/inject";
        var body = "key=" + FakeSecrets.AnthropicKey();

        var received = await PostAsync(client, url, body);

        Assert.Contains(InterceptionUpstream.Injection, received);
        var secret = await fixture.RecordAsync(dest, "ai_api_key");
        var injection = await fixture.RecordAsync(dest, "pipe_to_shell");
        AssertAttribution(secret, "outbound");
        AssertAttribution(injection, "inbound");
    }

    private static void AssertAttribution(System.Text.Json.JsonElement record, string direction)
    {
        Assert.Equal(direction, ThreatLogFile.Get(record, "direction"));
        Assert.Equal("https", ThreatLogFile.Get(record, "protocol"));
        Assert.Equal("127.0.0.1", ThreatLogFile.Get(record, "source"));
    }

    private async Task<string> PostAsync(string client, string url, string body)
    {
        switch (client)
        {
            case "curl":
            {
                var result = await Clients.CurlAsync(fixture.Monitor.ProxyUrl, url, "--cacert", fixture.CaFile, "--data-binary", body);
                Assert.Equal(200, Clients.StatusOf(result));
                return result.Stdout;
            }

            case "urllib":
            {
                var result = await Clients.UrllibAsync(fixture.Monitor.ProxyUrl, url, body: body, caFile: fixture.CaFile);
                Assert.Equal(200, Clients.StatusOf(result));
                return result.Stdout;
            }

            default:
            {
                using var http = ProxiedHttpClient.Create(fixture.Monitor, fixture.Ca);
                using var response = await http.PostAsync(url, new StringContent(body));
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                return await response.Content.ReadAsStringAsync();
            }
        }
    }
}
