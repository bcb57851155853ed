using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// Message framing through the proxy: chunked request bodies (with a secret split across two chunks, so the
/// scanner sees the de-chunked body) and chunked responses, with each client over plain HTTP and interception;
/// and requests whose head and body arrive in one write, including one that rides in the CONNECT's own packet.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class InterceptionFramingTests(InterceptionFixture fixture)
{
    private const string Established = "HTTP/1.1 200 Connection Established\r\n\r\n";

    [Theory]
    [InlineData("http")]
    [InlineData("https")]
    public async Task Curl_sends_a_chunked_body_and_gets_a_chunked_response(string scheme)
    {
        var (url, dest) = Target(scheme, "/chunked");
        var body = "key=" + FakeSecrets.AnthropicKey();

        // HTTP/1.1 because chunked framing does not exist in HTTP/2, which curl would otherwise negotiate over TLS.
        var result = await ProcessRunner.RunAsync("curl",
            ["-sS", "--max-time", "30", "--http1.1", "-x", fixture.Monitor.ProxyUrl, "--cacert", fixture.CaFile,
             "-H", "Transfer-Encoding: chunked", "--data-binary", body, "-D", "-", url]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        // -D also dumps the proxy's answer to the CONNECT; the upstream's response follows it.
        var output = result.Stdout;
        if (scheme == "https")
        {
            Assert.StartsWith(Established, output);
            output = output[Established.Length..];
        }

        var (head, received) = SplitResponse(output);
        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Contains("transfer-encoding: chunked", head, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(body, received);
        await AssertKeyRecordedAsync(dest, scheme);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("https")]
    public async Task Python_sends_a_secret_split_across_two_chunks_and_gets_a_chunked_response(string scheme)
    {
        var (url, dest) = Target(scheme, "/chunked");
        var key = FakeSecrets.AnthropicKey();
        string[] chunks = ["key=" + key[..20], key[20..] + "&end"];
        var request = new PythonHttpClient.Request("POST", scheme == "http" ? url : "/chunked", Chunks: chunks);

        var result = scheme == "http"
            ? await PythonHttpClient.PlainAsync(fixture.Monitor, request)
            : await PythonHttpClient.TunnelAsync(fixture.Monitor, new Uri(url).Host, fixture.Https.Port, fixture.CaFile, strict: false, request);

        var response = Assert.Single(result.Responses);
        Assert.Equal(200, response.Status);
        Assert.True(response.Chunked);
        Assert.Equal(string.Concat(chunks), response.Body);
        await AssertKeyRecordedAsync(dest, scheme);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("https")]
    public async Task HttpClient_sends_a_secret_split_across_two_chunks_and_gets_a_chunked_response(string scheme)
    {
        var (url, dest) = Target(scheme, "/chunked");
        var key = FakeSecrets.AnthropicKey();
        using var client = ProxiedHttpClient.Create(fixture.Monitor, fixture.Ca);

        using var response = await client.PostAsync(url, new TwoPartContent("key=" + key[..20], key[20..] + "&end"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("key=" + key + "&end", await response.Content.ReadAsStringAsync());
        await AssertKeyRecordedAsync(dest, scheme);
    }

    [Theory]
    [InlineData("http", false)]
    [InlineData("http", true)]
    [InlineData("https", false)]
    [InlineData("https", true)]
    public async Task A_request_whose_head_and_body_arrive_in_one_write_is_forwarded_and_inspected(string scheme, bool chunked)
    {
        var (url, dest) = Target(scheme, "/echo");
        var host = new Uri(url).Authority;
        var body = "key=" + FakeSecrets.AnthropicKey();
        var target = scheme == "http" ? url : "/echo";
        var request = chunked
            ? $"POST {target} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
              $"{body.Length / 2:x}\r\n{body[..(body.Length / 2)]}\r\n{body.Length - (body.Length / 2):x}\r\n{body[(body.Length / 2)..]}\r\n0\r\n\r\n"
            : $"POST {target} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";

        using var socket = await ConnectToProxyAsync();
        await using var stream = scheme == "http" ? new NetworkStream(socket) : await OpenInterceptedTunnelAsync(socket, new Uri(url));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var (head, received) = SplitResponse(await ReadToEndAsync(stream));

        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Equal(InterceptionUpstream.EchoLine(scheme == "http" ? "alpha" : "https", host, "/echo", body), received);
        await AssertKeyRecordedAsync(dest, scheme);
    }

    [Fact]
    public async Task A_plaintext_request_sent_in_the_same_write_as_its_CONNECT_is_not_lost()
    {
        var host = fixture.NewHost();
        var authority = $"{host}:{fixture.Http.Port}";
        var body = "key=" + FakeSecrets.AnthropicKey();

        using var socket = await ConnectToProxyAsync();
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n" +
            $"POST /echo HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
        var answer = await ReadToEndAsync(stream);

        Assert.StartsWith(Established, answer);
        var (head, received) = SplitResponse(answer[Established.Length..]);
        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Equal(InterceptionUpstream.EchoLine("alpha", authority, "/echo", body), received);
        await AssertKeyRecordedAsync(authority, "http");
    }

    [Fact]
    public async Task A_TLS_ClientHello_sent_in_the_same_write_as_its_CONNECT_is_not_lost()
    {
        var host = fixture.NewHost();
        var authority = $"{host}:{fixture.Https.Port}";
        var body = "key=" + FakeSecrets.AnthropicKey();

        using var socket = await ConnectToProxyAsync();
        var pipelined = new PipelinedConnectStream(new NetworkStream(socket, ownsSocket: false),
            Encoding.ASCII.GetBytes($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"));
        await using var tls = await AuthenticateAsync(pipelined, host);
        await tls.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /echo HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
        var (head, received) = SplitResponse(await ReadToEndAsync(tls));

        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Equal(InterceptionUpstream.EchoLine("https", authority, "/echo", body), received);
        await AssertKeyRecordedAsync(authority, "https");
    }

    /// <summary>A fresh host's URL on the upstream for the scheme, and its <c>dest</c>.</summary>
    private (string Url, string Dest) Target(string scheme, string path)
    {
        var upstream = scheme == "http" ? fixture.Http : fixture.Https;
        var host = fixture.NewHost();
        return (upstream.UrlFor(host) + path, $"{host}:{upstream.Port}");
    }

    private async Task AssertKeyRecordedAsync(string dest, string protocol)
    {
        var record = await fixture.Monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == dest
            && ThreatLogFile.Get(r, "pattern") == "ai_api_key" && ThreatLogFile.Get(r, "direction") == "outbound");
        Assert.Equal(protocol, ThreatLogFile.Get(record, "protocol"));
    }

    private async Task<Socket> ConnectToProxyAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, fixture.Monitor.Port);
        return socket;
    }

    /// <summary>CONNECT, then TLS.</summary>
    private async Task<Stream> OpenInterceptedTunnelAsync(Socket socket, Uri url)
    {
        var network = new NetworkStream(socket);
        await network.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {url.Authority} HTTP/1.1\r\nHost: {url.Authority}\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(network));
        return await AuthenticateAsync(network, url.Host);
    }

    /// <summary>A TLS client handshake (HTTP/1.1 by ALPN) trusting the ClawSec CA alone.</summary>
    private async Task<SslStream> AuthenticateAsync(Stream stream, string host)
    {
        var tls = new SslStream(stream);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(fixture.Ca);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            CertificateChainPolicy = policy,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, timeout.Token);
        return tls;
    }

    /// <summary>Reads a response head one byte at a time, so nothing after it is consumed.</summary>
    private static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.True(await stream.ReadAsync(one, timeout.Token) == 1, "the proxy closed before the end of the head: " + head);
            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(timeout.Token);
    }

    private static (string Head, string Body) SplitResponse(string response)
    {
        var end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end >= 0, "no end of head in: " + response);
        return (response[..end], response[(end + 4)..]);
    }

    /// <summary>A body of unknown length written in two flushed parts, which HttpClient sends as two chunks.</summary>
    private sealed class TwoPartContent(string first, string second) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(first));
            await stream.FlushAsync();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(second));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// A connection to the proxy whose first write (SslStream's ClientHello) goes out in one write with the CONNECT
    /// before it, as a client that does not wait for the proxy's answer sends it; reads first consume that answer.
    /// </summary>
    private sealed class PipelinedConnectStream(Stream inner, byte[] connect) : Stream
    {
        private byte[]? _connect = connect;
        private bool _answered;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _connect, null) is { } connect)
            {
                await inner.WriteAsync((byte[])[.. connect, .. buffer.Span], cancellationToken);
                return;
            }

            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_answered)
            {
                Assert.Equal(Established, await ReadHeadAsync(inner));
                _answered = true;
            }

            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
