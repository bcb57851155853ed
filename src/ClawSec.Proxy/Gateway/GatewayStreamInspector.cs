using System.Text;
using ClawSec.Core.Detection;
using ClawSec.Proxy.Inspection;

namespace ClawSec.Proxy.Gateway;

/// <summary>
/// Shared by the two directions of one gateway connection: what the HTTP handshake (if any) decided.
/// </summary>
internal sealed class GatewayHandshake
{
    public bool UpgradeRequested { get; set; }

    /// <summary>Set once the target answered 101: the negotiated extensions (may be empty).</summary>
    public string? UpgradedWith { get; set; }

    public bool ClientHeadDone { get; set; }
}

/// <summary>
/// Inspects one direction of a gateway connection. A stream that starts with an HTTP head is read as HTTP: the
/// head is scanned, and after a WebSocket upgrade the frames are decoded and scanned per message; any other stream
/// is scanned as plain bytes with overlap. The relay copies bytes before they get here, so inspection never delays them.
/// </summary>
internal sealed class GatewayStreamInspector : IDisposable
{
    private const int MaxHeadBytes = 64 * 1024;

    private readonly TrafficInspector _inspector;
    private readonly Direction _direction;
    private readonly MessageContext _message;
    private readonly GatewayHandshake _handshake;
    private readonly MemoryStream _head = new();
    private Mode _mode = Mode.Sniff;
    private BodyTap? _plain;
    private WebSocketInspector? _webSocket;

    public GatewayStreamInspector(TrafficInspector inspector, Direction direction, MessageContext message, GatewayHandshake handshake)
    {
        _inspector = inspector;
        _direction = direction;
        _message = message;
        _handshake = handshake;
    }

    private enum Mode
    {
        Sniff,
        Head,
        Plain,
        WebSocket,
    }

    /// <summary>
    /// True while the HTTP head is still being read. The relay inspects these bytes before forwarding them, so the
    /// server's 101 (and the extensions it names) is known before the client can send its first frame.
    /// </summary>
    public bool InHandshake => _mode is Mode.Sniff or Mode.Head;

    public async ValueTask ObserveAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            switch (_mode)
            {
                case Mode.Sniff:
                    _mode = LooksLikeHttp(bytes.Span) ? Mode.Head : Mode.Plain;
                    break;
                case Mode.Head:
                    bytes = await ReadHeadAsync(bytes).ConfigureAwait(false);
                    break;
                case Mode.Plain:
                    _plain ??= new BodyTap(_inspector, _direction, _message);
                    await _plain.ObserveAsync(bytes.Span).ConfigureAwait(false);
                    return;
                case Mode.WebSocket:
                    _webSocket ??= new WebSocketInspector(_inspector, _direction, _message, _handshake.UpgradedWith);
                    await _webSocket.ObserveAsync(bytes.Span).ConfigureAwait(false);
                    return;
            }
        }
    }

    public async ValueTask CompleteAsync()
    {
        if (_mode == Mode.Head && _head.Length > 0)
        {
            await ScanHeadAsync(Encoding.Latin1.GetString(_head.GetBuffer(), 0, (int)_head.Length)).ConfigureAwait(false);
        }

        if (_plain is not null)
        {
            await _plain.CompleteAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _webSocket?.Dispose();
        _head.Dispose();
    }

    /// <summary>Collects the head; returns what follows it once it is complete.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> ReadHeadAsync(ReadOnlyMemory<byte> bytes)
    {
        var before = (int)_head.Length;
        _head.Write(bytes.Span);
        var buffer = _head.GetBuffer().AsSpan(0, (int)_head.Length);
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (_head.Length > MaxHeadBytes)
            {
                await ScanHeadAsync(Encoding.Latin1.GetString(buffer)).ConfigureAwait(false);
                _head.SetLength(0);
                _mode = Mode.Plain;
            }

            return ReadOnlyMemory<byte>.Empty;
        }

        var head = Encoding.Latin1.GetString(buffer[..end]);
        var consumedFromThis = end + 4 - before;
        _head.SetLength(0);
        await ScanHeadAsync(head).ConfigureAwait(false);
        _mode = NextMode(head);
        return bytes[consumedFromThis..];
    }

    private Mode NextMode(string head)
    {
        var lines = head.Split("\r\n");
        string? Header(string name) => lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim())
            .FirstOrDefault();

        if (_direction == Direction.Outbound)
        {
            _handshake.UpgradeRequested = string.Equals(Header("Upgrade"), "websocket", StringComparison.OrdinalIgnoreCase);
            _handshake.ClientHeadDone = true;
            return _handshake.UpgradeRequested ? Mode.WebSocket : Mode.Plain;
        }

        if (_handshake.UpgradeRequested && lines[0].Split(' ').ElementAtOrDefault(1) == "101")
        {
            _handshake.UpgradedWith = Header("Sec-WebSocket-Extensions") ?? "";
            return Mode.WebSocket;
        }

        return Mode.Plain;
    }

    private ValueTask ScanHeadAsync(string head)
    {
        var lines = head.Split("\r\n");
        var findings = lines.SelectMany(line => _inspector.ScanLine(line, _direction)).ToList();
        return _inspector.PublishAsync(findings, _direction, _message, CancellationToken.None);
    }

    private static bool LooksLikeHttp(ReadOnlySpan<byte> start)
    {
        ReadOnlySpan<byte> http = "HTTP/1."u8;
        if (start.Length >= 5 && start[..Math.Min(start.Length, http.Length)].SequenceEqual(http[..Math.Min(start.Length, http.Length)]))
        {
            return true;
        }

        // A request line: an upper-case method, a space, then a target.
        var i = 0;
        while (i < start.Length && i < 10 && start[i] is >= (byte)'A' and <= (byte)'Z')
        {
            i++;
        }

        return i >= 3 && i < start.Length && start[i] == (byte)' ';
    }
}
