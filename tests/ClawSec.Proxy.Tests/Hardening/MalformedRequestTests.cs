using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClawSec.Proxy.Tests.Detection;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Hardening;

/// <summary>
/// Malformed requests, sent on raw sockets, are answered 4xx (or closed) and never forwarded: the test's upstream
/// sees nothing. The same over an intercepted TLS connection.
/// </summary>
public sealed class MalformedRequestTests(SharedMonitor shared) : IClassFixture<SharedMonitor>
{
    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in Requests.Keys)
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    private static readonly Dictionary<string, Func<string, string>> Requests = new()
    {
        ["garbage bytes"] = _ => "\u0001\u0002\u0003 not http at all\r\n\r\n",
        ["1 MiB request line"] = target => $"GET {target}/{new string('a', 1024 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n",
        ["100 KiB header block"] = target => $"GET {target}/h HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-Pad-{i}: {new string('b', 1000)}\r\n")) + "\r\n",
        ["header line without a colon"] = target => $"GET {target}/c HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
        ["negative Content-Length"] = target => $"POST {target}/n HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nhello",
        ["huge Content-Length"] = target => $"POST {target}/n HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\nhello",
        ["non-numeric Content-Length"] = target => $"POST {target}/n HTTP/1.1\r\nHost: x\r\nContent-Length: five\r\n\r\nhello",
        ["conflicting Content-Lengths"] = target => $"POST {target}/n HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        ["bad chunk size"] = target => $"POST {target}/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_request_is_rejected_and_never_forwarded(string name, bool overTls)
    {
        var target = overTls ? "" : shared.Upstream.Url;
        var before = shared.Upstream.Requests.Count;

        var response = await SendRawAsync(Requests[name](target), overTls);

        // Inside a tunnel to a plain-HTTP test upstream a well-formed head may reach the forwarder and fail upstream
        // TLS (502); either way the client is refused and the upstream gets no request.
        var refused = response.Length == 0 || response.StartsWith("HTTP/1.1 4", StringComparison.Ordinal)
            || (overTls && response.StartsWith("HTTP/1.1 502", StringComparison.Ordinal));
        Assert.True(refused, $"{name}: {response}");
        await shared.SettleAsync();
        Assert.Equal(before, shared.Upstream.Requests.Count);
    }

    [Fact]
    public async Task Transfer_encoding_with_content_length_is_forwarded_without_the_content_length()
    {
        var response = await SendRawAsync(
            $"POST {shared.Upstream.Url}/te HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false);

        Assert.StartsWith("HTTP/1.1 ", response);
        var seen = shared.Upstream.Requests.LastOrDefault(r => r.PathAndQuery == "/te");
        if (seen is not null)
        {
            Assert.False(seen.Headers.ContainsKey("Content-Length"));
            Assert.Equal("hello", Encoding.ASCII.GetString(seen.Body));
        }
        else
        {
            Assert.StartsWith("HTTP/1.1 4", response);
        }
    }

    /// <summary>Sends bytes as they are, plain or inside an intercepted TLS tunnel, and reads what comes back.</summary>
    private async Task<string> SendRawAsync(string request, bool overTls)
    {
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, shared.Monitor.Port);
        Stream stream = tcp.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        if (overTls)
        {
            var dest = $"127.0.0.1:{shared.Upstream.Port}";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {dest} HTTP/1.1\r\nHost: {dest}\r\n\r\n"), timeout.Token);
            var head = await ReadHeadAsync(stream, timeout.Token);
            Assert.StartsWith("HTTP/1.1 200", head);
            var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(shared.Monitor.LogDir, "ca.crt"));
            var ssl = new SslStream(stream, false, (_, certificate, _, _) => certificate is not null && Issued(certificate, ca));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, timeout.Token);
            stream = ssl;
        }

        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(request), timeout.Token);
            await stream.FlushAsync(timeout.Token);
        }
        catch (IOException)
        {
            // The proxy may answer and close before it has read all of an oversized request.
        }

        var buffer = new byte[4096];
        try
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.Latin1.GetString(buffer, 0, read);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static bool Issued(X509Certificate certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, cancellationToken) == 1)
        {
            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
