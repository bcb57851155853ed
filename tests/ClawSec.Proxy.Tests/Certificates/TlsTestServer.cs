using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace ClawSec.Proxy.Tests.Certificates;

/// <summary>
/// A TLS server on 127.0.0.1 that picks its certificate by the name the client asked for (SNI), or by
/// <c>fallbackName</c> when the client sent none, and answers any HTTP request with <c>200 ok</c>.
/// </summary>
internal sealed class TlsTestServer : IAsyncDisposable
{
    private static readonly byte[] Response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, ValueTask<SslStreamCertificateContext>> _certificateFor;
    private readonly string _fallbackName;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _accepting;

    private TlsTestServer(Func<string, ValueTask<SslStreamCertificateContext>> certificateFor, string fallbackName)
    {
        _certificateFor = certificateFor;
        _fallbackName = fallbackName;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The SNI name of each handshake, empty when the client sent none.</summary>
    public ConcurrentQueue<string> ServerNames { get; } = new();

    /// <summary>Handshakes that failed on the server side.</summary>
    public ConcurrentQueue<Exception> HandshakeFailures { get; } = new();

    public static TlsTestServer Start(Func<string, ValueTask<SslStreamCertificateContext>> certificateFor, string fallbackName = "127.0.0.1") =>
        new(certificateFor, fallbackName);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_connections);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var connection = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await using var tls = new SslStream(client.GetStream());
        try
        {
            await tls.AuthenticateAsServerAsync(SelectAsync, null, timeout.Token);
        }
        catch (Exception ex)
        {
            HandshakeFailures.Enqueue(ex);
            return;
        }

        try
        {
            if (await ReadRequestHeadAsync(tls, timeout.Token))
            {
                await tls.WriteAsync(Response, timeout.Token);
                await tls.ShutdownAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // Clients that only check the handshake hang up without a request.
        }
    }

    private async ValueTask<SslServerAuthenticationOptions> SelectAsync(
        SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken cancellationToken)
    {
        ServerNames.Enqueue(hello.ServerName);
        var name = string.IsNullOrEmpty(hello.ServerName) ? _fallbackName : hello.ServerName;
        return new SslServerAuthenticationOptions { ServerCertificateContext = await _certificateFor(name) };
    }

    /// <summary>Reads up to the blank line that ends a request head; false when the client hung up first.</summary>
    private static async Task<bool> ReadRequestHeadAsync(SslStream tls, CancellationToken cancellationToken)
    {
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await tls.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            seen.Append(Encoding.Latin1.GetString(buffer, 0, read));
            if (seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                return true;
            }
        }
    }
}
