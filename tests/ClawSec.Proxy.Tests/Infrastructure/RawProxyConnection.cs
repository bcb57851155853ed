using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ClawSec.Proxy.Tests.Infrastructure;

/// <summary>
/// A connection to the monitor that carries bytes exactly as the test writes them, for requests no client library
/// would send: plain, or inside a CONNECT tunnel the monitor intercepts (TLS, trusting only the monitor's CA).
/// Every read and write is bounded by one 20 s timeout.
/// </summary>
internal sealed class RawProxyConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));
    private Stream _stream = Stream.Null;

    private RawProxyConnection(TcpClient tcp) => _tcp = tcp;

    /// <param name="tunnelTo">The host:port to CONNECT to and then speak TLS through; null for plain HTTP.</param>
    public static async Task<RawProxyConnection> OpenAsync(MonitorProcess monitor, string? tunnelTo = null)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        var connection = new RawProxyConnection(tcp);
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, monitor.Port, connection._timeout.Token);
            connection._stream = tcp.GetStream();
            if (tunnelTo is not null)
            {
                await connection.StartTunnelAsync(monitor, tunnelTo);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return connection;
    }

    /// <summary>Writes the text as Latin-1 bytes in one write; false when the monitor closed the connection first.</summary>
    public async Task<bool> WriteAsync(string text)
    {
        try
        {
            await _stream.WriteAsync(Encoding.Latin1.GetBytes(text), _timeout.Token);
            await _stream.FlushAsync(_timeout.Token);
            return true;
        }
        catch (IOException)
        {
            // The monitor may answer and close before it has read all of an oversized request.
            return false;
        }
    }

    /// <summary>What one read returns (up to 4 KiB); "" when the connection was closed or reset without an answer.</summary>
    public async Task<string> ReadSomeAsync()
    {
        var buffer = new byte[4096];
        try
        {
            var read = await _stream.ReadAsync(buffer, _timeout.Token);
            return Encoding.Latin1.GetString(buffer, 0, read);
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes, e.g. an interim response of known length.</summary>
    public async Task<string> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, _timeout.Token);
        return Encoding.Latin1.GetString(buffer);
    }

    /// <summary>Everything until the monitor closes the connection (send <c>Connection: close</c>).</summary>
    public async Task<string> ReadToEndAsync()
    {
        using var all = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await _stream.ReadAsync(buffer, _timeout.Token)) > 0)
            {
                all.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A close without a TLS close_notify ends the answer too.
        }

        return Encoding.Latin1.GetString(all.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
        _timeout.Dispose();
    }

    private async Task StartTunnelAsync(MonitorProcess monitor, string authority)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"), _timeout.Token);
        var head = await ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 200", head);

        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(monitor.LogDir, "ca.crt"));
        var ssl = new SslStream(_stream, false, (_, certificate, _, _) => certificate is not null && Issued(certificate, ca));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = authority[..authority.LastIndexOf(':')],
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, _timeout.Token);
        _stream = ssl;
    }

    private async Task<string> ReadHeadAsync()
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await _stream.ReadAsync(one, _timeout.Token) == 1)
        {
            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private static bool Issued(X509Certificate certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }
}
