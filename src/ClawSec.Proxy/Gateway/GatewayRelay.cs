using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ClawSec.Core.Detection;
using ClawSec.Proxy.Inspection;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Gateway;

/// <summary>
/// A plain TCP relay for a local agent gateway (<c>gateway_local_port</c> → <c>gateway_target_port</c> on
/// 127.0.0.1), scanned both ways with the same inspection as the proxy (<c>protocol</c> = <c>gateway</c>). Bytes
/// are relayed unchanged; when the target is down the client's connection is closed at once and the text log
/// says why, and the relay keeps serving.
/// </summary>
internal sealed partial class GatewayRelay : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly TrafficInspector _inspector;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private long _connections;

    private GatewayRelay(TcpListener listener, int targetPort, TrafficInspector inspector, ILogger logger)
    {
        _listener = listener;
        _targetPort = targetPort;
        _inspector = inspector;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string ListenAddress => ((IPEndPoint)_listener.LocalEndpoint).ToString();

    public static GatewayRelay Start(int localPort, int targetPort, TrafficInspector inspector, ILogger<GatewayRelay> logger)
    {
        var listener = new TcpListener(IPAddress.Loopback, localPort);
        listener.Start(512);
        Log.Listening(logger, localPort, targetPort);
        return new GatewayRelay(listener, targetPort, inspector, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var id = "gw-" + Interlocked.Increment(ref _connections).ToString(CultureInfo.InvariantCulture);
        var dest = "127.0.0.1:" + _targetPort.ToString(CultureInfo.InvariantCulture);
        var source = (client.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown";
        client.NoDelay = true;
        using (client)
        {
            using var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(ConnectTimeout);
                await target.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                Log.TargetDown(_logger, id, dest, ex is SocketException se ? se.SocketErrorCode.ToString() : "timed out");
                client.Close(0);
                return;
            }

            var message = new MessageContext("gateway", source, dest, "127.0.0.1", id);
            var handshake = new GatewayHandshake();
            using var outbound = new GatewayStreamInspector(_inspector, Direction.Outbound, message, handshake);
            using var inbound = new GatewayStreamInspector(_inspector, Direction.Inbound, message, handshake);
            using var abort = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            await Task.WhenAll(
                PumpAsync(client, target, outbound, abort),
                PumpAsync(target, client, inbound, abort)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Copies one direction, forwarding bytes first and inspecting them after (an HTTP handshake head is inspected
    /// first, see <see cref="GatewayStreamInspector.InHandshake"/>); half-closes on end.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to, GatewayStreamInspector inspector, CancellationTokenSource abort)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, abort.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    break;
                }

                var data = buffer.AsMemory(0, read);
                var inspectFirst = inspector.InHandshake;
                if (inspectFirst)
                {
                    await ObserveAsync(inspector, data).ConfigureAwait(false);
                }

                while (!data.IsEmpty)
                {
                    var sent = await to.SendAsync(data, abort.Token).ConfigureAwait(false);
                    data = data[sent..];
                }

                if (!inspectFirst)
                {
                    await ObserveAsync(inspector, buffer.AsMemory(0, read)).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            await abort.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await inspector.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask ObserveAsync(GatewayStreamInspector inspector, ReadOnlyMemory<byte> data)
    {
        try
        {
            await inspector.ObserveAsync(data).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _inspector.ReportScanFailure("gateway", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Gateway relay listening on 127.0.0.1:{LocalPort} -> 127.0.0.1:{TargetPort}")]
        public static partial void Listening(ILogger logger, int localPort, int targetPort);

        [LoggerMessage(2, LogLevel.Warning, "[{Id}] gateway target {Dest} is not reachable ({Reason}); closed the client connection")]
        public static partial void TargetDown(ILogger logger, string id, string dest, string reason);
    }
}
