using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ClawSec.Proxy.Forwarding;

/// <summary>
/// Opens every upstream TCP connection: the forwarder's (as its connect callback) and CONNECT's reachability
/// check. The connection a CONNECT opened to learn that its target is reachable is parked and handed to the
/// first forwarded request for that endpoint, so checking does not double the cost of a tunnel.
/// Host names in <c>resolve</c> map to fixed addresses, like curl's <c>--resolve</c>.
/// </summary>
internal sealed class UpstreamConnector : IDisposable
{
    private static readonly TimeSpan ParkedLifetime = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyDictionary<string, IPAddress> _overrides;
    private readonly TimeSpan _connectTimeout;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(Socket Socket, long ParkedAt)>> _parked = new(StringComparer.OrdinalIgnoreCase);

    public UpstreamConnector(IReadOnlyDictionary<string, IPAddress> overrides, TimeSpan connectTimeout)
    {
        _overrides = overrides;
        _connectTimeout = connectTimeout;
    }

    public async ValueTask<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_connectTimeout);
        IPAddress[] addresses;
        if (_overrides.TryGetValue(host, out var fixedAddress))
        {
            addresses = [fixedAddress];
        }
        else if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            addresses = await Dns.GetHostAddressesAsync(host, timeout.Token).ConfigureAwait(false);
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token).ConfigureAwait(false);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = ex;
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
            }
        }

        if (last is OperationCanceledException)
        {
            throw new TimeoutException($"connecting to {host}:{port} timed out after {_connectTimeout.TotalSeconds:0} s");
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Keeps a fresh connection for the next request to this endpoint.</summary>
    public void Park(string host, int port, Socket socket) =>
        _parked.GetOrAdd(Key(host, port), _ => new()).Enqueue((socket, Environment.TickCount64));

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>: a parked connection if one is alive, else a new one.</summary>
    public async ValueTask<Stream> ConnectCallback(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var port = context.DnsEndPoint.Port;
        if (_parked.TryGetValue(Key(host, port), out var queue))
        {
            while (queue.TryDequeue(out var parked))
            {
                if (Environment.TickCount64 - parked.ParkedAt < ParkedLifetime.TotalMilliseconds && IsUsable(parked.Socket))
                {
                    return new NetworkStream(parked.Socket, ownsSocket: true);
                }

                parked.Socket.Dispose();
            }
        }

        return new NetworkStream(await ConnectAsync(host, port, cancellationToken).ConfigureAwait(false), ownsSocket: true);
    }

    public void Dispose()
    {
        foreach (var queue in _parked.Values)
        {
            while (queue.TryDequeue(out var parked))
            {
                parked.Socket.Dispose();
            }
        }
    }

    /// <summary>Connected and not closed by the peer (a readable socket with nothing to read has seen FIN).</summary>
    private static bool IsUsable(Socket socket)
    {
        try
        {
            return socket.Connected && !(socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Key(string host, int port) => host + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
