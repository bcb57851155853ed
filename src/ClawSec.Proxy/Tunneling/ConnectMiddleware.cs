using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using ClawSec.Proxy.Certificates;
using ClawSec.Proxy.Forwarding;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Tunneling;

/// <summary>
/// Kestrel connection middleware that catches a CONNECT as the first request of a connection, before Kestrel's
/// parser (the only place Kestrel lets us take over the raw stream). The target is connected first, so an
/// unreachable one answers 502, not 200; that connection is then reused by the first forwarded request.
/// After 200: with MITM off, an opaque tunnel; with MITM on, a TLS ClientHello gets a leaf certificate for the SNI
/// name and the decrypted stream goes back into Kestrel, and plaintext (ws:// through a proxy) goes back as it is.
/// Bytes that arrived with the CONNECT stay in the pipe and are not lost.
/// </summary>
internal sealed partial class ConnectMiddleware
{
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private readonly ConnectionDelegate _next;
    private readonly UpstreamConnector _connector;
    private readonly LeafCertificateCache _leaves;
    private readonly ProxyAuthenticator? _authenticator;
    private readonly bool _mitm;
    private readonly TimeSpan _handshakeTimeout;
    private readonly ILogger _logger;

    public ConnectMiddleware(ConnectionDelegate next, UpstreamConnector connector, LeafCertificateCache leaves,
        ProxyAuthenticator? authenticator, bool mitm, TimeSpan handshakeTimeout, ILogger<ConnectMiddleware> logger)
    {
        _handshakeTimeout = handshakeTimeout;
        _next = next;
        _connector = connector;
        _leaves = leaves;
        _authenticator = authenticator;
        _mitm = mitm;
        _logger = logger;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var input = context.Transport.Input;
        ConnectRequest? request;
        using (var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed))
        {
            headTimeout.CancelAfter(HeadTimeout);
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(headTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var buffer = result.Buffer;
                var status = ConnectRequestParser.TryParse(buffer, out request, out var consumed, out var error);
                if (status == ConnectParseStatus.NotConnect)
                {
                    input.AdvanceTo(buffer.Start);
                    await _next(context).ConfigureAwait(false);
                    return;
                }

                if (status == ConnectParseStatus.NeedMoreData)
                {
                    if (result.IsCompleted)
                    {
                        input.AdvanceTo(buffer.End);
                        return;
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                if (status == ConnectParseStatus.Invalid)
                {
                    input.AdvanceTo(buffer.End);
                    Log.BadConnect(_logger, context.ConnectionId, error!);
                    await RespondAsync(context, 400, "Bad Request", error!).ConfigureAwait(false);
                    return;
                }

                input.AdvanceTo(buffer.GetPosition(consumed));
                break;
            }
        }

        await HandleConnectAsync(context, request!).ConfigureAwait(false);
    }

    private async Task HandleConnectAsync(ConnectionContext context, ConnectRequest request)
    {
        var id = context.ConnectionId;
        var source = (context.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown";
        if (_authenticator is not null && !_authenticator.IsAuthorized(request.Header("Proxy-Authorization")))
        {
            await RespondAsync(context, 407, "Proxy Authentication Required", "proxy authentication required",
                "Proxy-Authenticate: Basic realm=\"ClawSec\"\r\n").ConfigureAwait(false);
            return;
        }

        Socket upstream;
        try
        {
            upstream = await _connector.ConnectAsync(request.Host, request.Port, context.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException or OperationCanceledException)
        {
            var reason = ex is SocketException se ? Describe(se) : ex.Message;
            Log.Unreachable(_logger, id, request.Dest, reason);
            await RespondAsync(context, 502, "Bad Gateway", $"cannot connect to {request.Dest}: {reason}").ConfigureAwait(false);
            return;
        }

        if (!_mitm)
        {
            Log.OpaqueTunnel(_logger, id, source, request.Dest);
            await WriteAsync(context.Transport.Output, "HTTP/1.1 200 Connection Established\r\n\r\n").ConfigureAwait(false);
            await OpaqueRelay.RunAsync(context.Transport, upstream, context.ConnectionClosed).ConfigureAwait(false);
            return;
        }

        // The tunnel's requests may all go over pooled upstream connections and never claim this one; it is
        // closed when the tunnel ends rather than left open against the upstream.
        using var parked = _connector.Park(request.Host, request.Port, upstream);
        await WriteAsync(context.Transport.Output, "HTTP/1.1 200 Connection Established\r\n\r\n").ConfigureAwait(false);

        bool isTls;
        using (var firstByte = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed))
        {
            firstByte.CancelAfter(_handshakeTimeout);
            try
            {
                var result = await context.Transport.Input.ReadAsync(firstByte.Token).ConfigureAwait(false);
                if (result.Buffer.IsEmpty)
                {
                    context.Transport.Input.AdvanceTo(result.Buffer.End);
                    return;
                }

                isTls = result.Buffer.FirstSpan[0] == 0x16;
                context.Transport.Input.AdvanceTo(result.Buffer.Start);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (!isTls)
        {
            context.Features.Set(new TunnelFeature(request.Host, request.Port, Tls: false, id));
            await _next(context).ConfigureAwait(false);
            return;
        }

        await InterceptTlsAsync(context, request, id).ConfigureAwait(false);
    }

    private async Task InterceptTlsAsync(ConnectionContext context, ConnectRequest request, string id)
    {
        var original = context.Transport;
        var ssl = new SslStream(new DuplexPipeStream(original), leaveInnerStreamOpen: true);
        try
        {
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed))
            {
                handshake.CancelAfter(_handshakeTimeout);
                try
                {
                    await ssl.AuthenticateAsServerAsync(SelectOptionsAsync, request.Host, handshake.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or ArgumentException)
                {
                    Log.HandshakeFailed(_logger, id, request.Dest, ex is OperationCanceledException ? "timed out" : ex.Message);
                    return;
                }
            }

            var tls = new TlsConnectionFeature(ssl);
            context.Features.Set<ITlsConnectionFeature>(tls);
            context.Features.Set<ITlsApplicationProtocolFeature>(tls);
            context.Features.Set(new TunnelFeature(request.Host, request.Port, Tls: true, id));
            var decrypted = new StreamDuplexPipe(ssl);
            context.Transport = decrypted;
            try
            {
                await _next(context).ConfigureAwait(false);
            }
            finally
            {
                context.Transport = original;
                await decrypted.Input.CompleteAsync().ConfigureAwait(false);
                await decrypted.Output.CompleteAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<SslServerAuthenticationOptions> SelectOptionsAsync(
        SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrEmpty(hello.ServerName) ? (string)state! : hello.ServerName;
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = await _leaves.GetAsync(name).ConfigureAwait(false),
            ApplicationProtocols = Alpn,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };
    }

    private static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
        SocketError.ConnectionRefused => "connection refused",
        SocketError.TimedOut => "timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "unreachable",
        _ => ex.Message,
    };

    private static async Task RespondAsync(ConnectionContext context, int status, string reasonPhrase, string text, string extraHeaders = "")
    {
        var body = "ClawSec: " + text + "\n";
        var head = $"HTTP/1.1 {status.ToString(CultureInfo.InvariantCulture)} {reasonPhrase}\r\nContent-Type: text/plain; charset=utf-8\r\n" +
            $"Content-Length: {Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n{extraHeaders}\r\n";
        try
        {
            await WriteAsync(context.Transport.Output, head + body).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or OperationCanceledException)
        {
            // The client is gone; nothing to tell it.
        }
    }

    private static async Task WriteAsync(PipeWriter output, string text)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "[{ConnectionId}] CONNECT {Dest} failed: {Reason}")]
        public static partial void Unreachable(ILogger logger, string connectionId, string dest, string reason);

        [LoggerMessage(2, LogLevel.Information, "[{ConnectionId}] tunnel {Source} -> {Dest} (not inspected: MITM off)")]
        public static partial void OpaqueTunnel(ILogger logger, string connectionId, string source, string dest);

        [LoggerMessage(3, LogLevel.Information, "[{ConnectionId}] TLS handshake with the client for {Dest} failed: {Reason}")]
        public static partial void HandshakeFailed(ILogger logger, string connectionId, string dest, string reason);

        [LoggerMessage(4, LogLevel.Information, "[{ConnectionId}] rejected a CONNECT: {Reason}")]
        public static partial void BadConnect(ILogger logger, string connectionId, string reason);
    }
}
