using System.Globalization;
using System.Net;
using System.Text.Json;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// HTTP/2 from the client through interception, and server-sent events that reach the client as the upstream
/// flushes them. The upstream holds events 2…20 until the client reports event 1 (see <see cref="EventStreams"/>),
/// so a client that saw event 1 while only one event had been sent shows that nothing on the way buffered it.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class InterceptionStreamingTests(InterceptionFixture fixture)
{
    private static readonly string[] AllEvents = Enumerable.Range(1, EventStreams.EventCount).Select(i => $"event {i}").ToArray();

    [Fact]
    public async Task Curl_speaks_HTTP2_to_the_proxy_through_interception_and_the_request_is_inspected()
    {
        var host = fixture.NewHost();
        var body = "key=" + FakeSecrets.AnthropicKey();

        var result = await Clients.CurlAsync(fixture.Monitor.ProxyUrl, fixture.Https.UrlFor(host) + "/echo",
            "--http2", "--cacert", fixture.CaFile, "--data-binary", body, "-w", "\n%{http_version} %{http_code}");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.Stdout.Split('\n');
        Assert.Equal("2 200", lines[^1]);
        Assert.Equal(InterceptionUpstream.EchoLine("https", $"{host}:{fixture.Https.Port}", "/echo", body), lines[^2]);
        var record = await fixture.Monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == $"{host}:{fixture.Https.Port}"
            && ThreatLogFile.Get(r, "direction") == "outbound" && ThreatLogFile.Get(r, "pattern") == "ai_api_key");
        Assert.Equal("https", ThreatLogFile.Get(record, "protocol"));
    }

    [Theory]
    [InlineData("http", false)]
    [InlineData("https", false)]
    [InlineData("https", true)]
    public async Task HttpClient_receives_the_first_event_while_the_upstream_has_sent_only_that_one(string scheme, bool http2)
    {
        var id = Guid.NewGuid().ToString("N");
        var upstream = scheme == "http" ? fixture.Http : fixture.Https;
        using var client = ProxiedHttpClient.Create(fixture.Monitor, fixture.Ca, http2: http2);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<string>();
        int? sentWhenFirstSeen = null;

        using var response = await client.GetAsync(upstream.UrlFor(fixture.NewHost()) + "/events?id=" + id,
            HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line["data: ".Length..]);
                sentWhenFirstSeen ??= fixture.Events.For(id).Acknowledge();
            }
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(http2 ? HttpVersion.Version20 : HttpVersion.Version11, response.Version);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, sentWhenFirstSeen);
        Assert.Equal(AllEvents, events);
    }

    [Fact]
    public async Task Urllib_receives_the_first_event_through_interception_while_the_upstream_has_sent_only_that_one()
    {
        var id = Guid.NewGuid().ToString("N");
        // The acknowledgement goes straight to an upstream, not through the proxy under test.
        var ack = fixture.Http.Url + "/ack?id=" + id;
        var spec = JsonSerializer.Serialize(new
        {
            proxy = fixture.Monitor.ProxyUrl,
            cafile = fixture.CaFile,
            url = fixture.Https.UrlFor(fixture.NewHost()) + "/events?id=" + id,
            ack,
        });

        var result = await ProcessRunner.RunAsync("python3", ["-c", UrllibEventsScript], stdin: spec);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var output = JsonDocument.Parse(result.Stdout);
        Assert.Equal("text/event-stream", output.RootElement.GetProperty("content_type").GetString());
        Assert.Equal(1, output.RootElement.GetProperty("sent_when_first_seen").GetInt32());
        Assert.Equal(AllEvents, output.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>Reads the stream line by line as it arrives; after the first event, tells the upstream directly.</summary>
    private const string UrllibEventsScript = """
        import json, ssl, sys, urllib.request
        spec = json.load(sys.stdin)
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({"http": spec["proxy"], "https": spec["proxy"]}),
            urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=spec["cafile"])))
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        events, sent_when_first_seen = [], None
        with opener.open(spec["url"], timeout=30) as resp:
            content_type = resp.headers.get_content_type()
            for raw in resp:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("data: "):
                    events.append(line[len("data: "):])
                    if sent_when_first_seen is None:
                        with direct.open(spec["ack"], timeout=30) as ack:
                            sent_when_first_seen = int(ack.read())
        print(json.dumps({"content_type": content_type, "events": events, "sent_when_first_seen": sent_when_first_seen}))
        """;
}
