using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Hardening;

/// <summary>Broken TLS after CONNECT ends in a clean close within the handshake timeout; the proxy keeps serving.</summary>
public sealed class TlsFaultTests
{
    [Theory]
    [InlineData("garbage after CONNECT")]
    [InlineData("a ClientHello that never completes")]
    [InlineData("an SNI that is not a host name")]
    public async Task Broken_tls_is_closed_cleanly_and_the_proxy_keeps_serving(string fault)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync(new { tls_handshake_timeout_secs = 1 });
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, monitor.Port);
        var stream = tcp.GetStream();
        var dest = $"127.0.0.1:{upstream.Port}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {dest} HTTP/1.1\r\nHost: {dest}\r\n\r\n"));
        var ok = new byte[39];
        await stream.ReadExactlyAsync(ok);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(ok));

        var watch = Stopwatch.StartNew();
        switch (fault)
        {
            case "garbage after CONNECT":
                await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00 });
                break;
            case "a ClientHello that never completes":
                await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 });
                break;
            default:
                using (var ssl = new SslStream(stream, leaveInnerStreamOpen: true, (_, _, _, _) => true))
                {
                    await Assert.ThrowsAnyAsync<Exception>(() => ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "bad_name..example" }));
                }

                break;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[1024];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"closed after {watch.Elapsed}");
        using var client = monitor.CreateHttpClient();
        Assert.Equal("ok", await client.GetStringAsync(upstream.Url + "/after"));
    }
}
