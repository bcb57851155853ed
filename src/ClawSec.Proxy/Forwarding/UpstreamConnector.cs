using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ClawSec.Proxy.Forwarding;

/// <summary>
/// Opens every upstream TCP connection: the forwarder's (as its connect callback) and CONNECT's reachability
/// check. The connection a CONNECT opened to learn that its target is reachable is parked and handed to the
/// first forwarded request for that endpoint that needs a new connection, so checking does not double the cost
/// of a tunnel. A parked connection nobody claims (the forwarder reused a pooled one, as it does for every tunnel
/// after the first to an HTTP/2 or keep-alive upstream) is closed when its tunnel ends or once it is stale,
/// so tunnels never pile up idle connections against an upstream.
/// Host names in <c>resolve</c> map to fixed addresses, like curl's <c>--resolve</c>.
/// </summary>
internal sealed class UpstreamConnector : IDisposable
{
    private static readonly TimeSpan ParkedLifetime = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyDictionary<string, IPAddress> _overrides;
    private readonly TimeSpan _connectTimeout;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ParkedConnection>> _parked = new(StringComparer.OrdinalIgnoreCase);

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

    /// <summary>
    /// Keeps a fresh connection for the next request to this endpoint. The caller disposes the result when its
    /// tunnel ends, which closes the connection unless a request took it.
    /// </summary>
    public ParkedConnection Park(string host, int port, Socket socket)
    {
        var parked = new ParkedConnection(socket);
        var queue = _parked.GetOrAdd(Key(host, port), _ => new());
        DropStale(queue);
        queue.Enqueue(parked);
        return parked;
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>: a parked connection if one is alive, else a new one.</summary>
    public async ValueTask<Stream> ConnectCallback(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var port = context.DnsEndPoint.Port;
        if (_parked.TryGetValue(Key(host, port), out var queue))
        {
            while (queue.TryDequeue(out var parked))
            {
                if (parked.TryTake() is not { } socket)
                {
                    continue;
                }

                if (!parked.IsStale && IsUsable(socket))
                {
                    return new NetworkStream(socket, ownsSocket: true);
                }

                socket.Dispose();
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
                parked.Dispose();
            }
        }
    }

    /// <summary>
    /// Closes and forgets the entries at the head of the queue that were taken, closed with their tunnel, or have
    /// gone stale. Entries are queued in the order they were parked, so the stale ones gather at the head; without
    /// this, an endpoint whose requests always reuse a pooled connection would keep every entry ever parked for it.
    /// </summary>
    private static void DropStale(ConcurrentQueue<ParkedConnection> queue)
    {
        while (queue.TryPeek(out var head) && (head.IsClosed || head.IsStale) && queue.TryDequeue(out var dropped))
        {
            if (ReferenceEquals(dropped, head))
            {
                dropped.Dispose();
            }
            else
            {
                // Another thread dequeued the head first and this is the next entry, which may be fresh: keep it.
                queue.Enqueue(dropped);
                return;
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

    /// <summary>
    /// A CONNECT's reachability connection waiting for a request. Exactly one of the forwarder (taking it) and the
    /// tunnel's end or a clean-up (closing it) gets the socket.
    /// </summary>
    internal sealed class ParkedConnection : IDisposable
    {
        private readonly long _parkedAt = Environment.TickCount64;
        private Socket? _socket;

        public ParkedConnection(Socket socket) => _socket = socket;

        /// <summary>Taken by a request or closed.</summary>
        public bool IsClosed => Volatile.Read(ref _socket) is null;

        public bool IsStale => Environment.TickCount64 - _parkedAt >= ParkedLifetime.TotalMilliseconds;

        /// <summary>The socket, once; null when it was already taken or closed.</summary>
        public Socket? TryTake() => Interlocked.Exchange(ref _socket, null);

        /// <summary>Closes the connection unless a request took it.</summary>
        public void Dispose() => TryTake()?.Dispose();
    }
}
