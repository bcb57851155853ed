using System.Globalization;
using System.Net;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// 100 MiB each way arrives byte-exact (SHA-256 compared) over plain HTTP, through TLS interception (HTTP/1.1
/// and HTTP/2 from the client) and through an opaque tunnel; uploads also chunked, which the proxy reads ahead of. The bodies are generated and hashed as they stream, so no side holds them whole.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class InterceptionLargeTransferTests(InterceptionFixture fixture)
{
    private const long Size = DeterministicContent.HundredMebibytes;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData(Mode.PlainHttp)]
    [InlineData(Mode.Intercepted)]
    [InlineData(Mode.InterceptedHttp2)]
    [InlineData(Mode.OpaqueTunnel)]
    public async Task HttpClient_uploads_100_MiB_byte_exact(Mode mode)
    {
        var (url, client) = Setup(mode, "/upload");
        using var _ = client;
        using var content = new StreamContent(new DeterministicContent.Reader(Size));
        content.Headers.ContentLength = Size;

        using var response = await client.PostAsync(url, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mode == Mode.InterceptedHttp2 ? HttpVersion.Version20 : HttpVersion.Version11, response.Version);
        Assert.Equal($"{Size.ToString(CultureInfo.InvariantCulture)} {DeterministicContent.Sha256(Size)}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Mode.PlainHttp)]
    [InlineData(Mode.Intercepted)]
    public async Task HttpClient_uploads_100_MiB_chunked_byte_exact(Mode mode)
    {
        var (url, client) = Setup(mode, "/upload");
        using var _ = client;
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StreamContent(new DeterministicContent.Reader(Size)) };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{Size.ToString(CultureInfo.InvariantCulture)} {DeterministicContent.Sha256(Size)}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Mode.PlainHttp)]
    [InlineData(Mode.Intercepted)]
    [InlineData(Mode.InterceptedHttp2)]
    [InlineData(Mode.OpaqueTunnel)]
    public async Task HttpClient_downloads_100_MiB_byte_exact(Mode mode)
    {
        var (url, client) = Setup(mode, "/download?bytes=" + Size.ToString(CultureInfo.InvariantCulture));
        using var _ = client;
        using var timeout = new CancellationTokenSource(Timeout);

        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var (sha256, length) = await DeterministicContent.HashAsync(body, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mode == Mode.InterceptedHttp2 ? HttpVersion.Version20 : HttpVersion.Version11, response.Version);
        Assert.Equal(Size, length);
        Assert.Equal(DeterministicContent.Sha256(Size), sha256);
    }

    [Fact]
    public async Task Curl_downloads_100_MiB_byte_exact_through_interception()
    {
        var url = fixture.Https.UrlFor(fixture.NewHost()) + "/download?bytes=" + Size.ToString(CultureInfo.InvariantCulture);

        // sha256sum hashes curl's output as it streams; pipefail makes a curl failure fail the pipeline.
        var result = await ProcessRunner.RunAsync("bash",
            ["-c", "set -o pipefail; curl -sS --max-time 120 -x \"$1\" --cacert \"$2\" \"$3\" | sha256sum", "curl", fixture.Monitor.ProxyUrl, fixture.CaFile, url],
            timeout: Timeout);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(DeterministicContent.Sha256(Size) + "  -", result.Stdout.TrimEnd());
    }

    public enum Mode
    {
        PlainHttp,
        Intercepted,
        InterceptedHttp2,
        OpaqueTunnel,
    }

    private (string Url, HttpClient Client) Setup(Mode mode, string pathAndQuery)
    {
        var host = fixture.NewHost();
        return mode switch
        {
            Mode.PlainHttp => (fixture.Http.UrlFor(host) + pathAndQuery, ProxiedHttpClient.Create(fixture.Monitor, fixture.Ca, timeout: Timeout)),
            Mode.Intercepted => (fixture.Https.UrlFor(host) + pathAndQuery, ProxiedHttpClient.Create(fixture.Monitor, fixture.Ca, timeout: Timeout)),
            Mode.InterceptedHttp2 => (fixture.Https.UrlFor(host) + pathAndQuery,
                ProxiedHttpClient.Create(fixture.Monitor, fixture.Ca, timeout: Timeout, http2: true)),
            // Through an opaque tunnel the client talks TLS with the upstream itself, so it trusts the upstream's CA.
            _ => (fixture.Https.UrlFor(host) + pathAndQuery,
                ProxiedHttpClient.Create(fixture.OpaqueMonitor, fixture.UpstreamCertificates.Ca, timeout: Timeout)),
        };
    }
}
