using ClawSec.Core.Decoding;
using ClawSec.Core.Detection;

namespace ClawSec.Proxy.Inspection;

/// <summary>
/// Inspects one direction of a WebSocket connection: frames are decoded (unmasked, reassembled, inflated) and
/// each text or binary message is scanned as a message of its own, so a finding is recorded when its message
/// ends rather than when the connection closes. Decoding failures stop inspection of that direction only.
/// </summary>
internal sealed class WebSocketInspector : IWebSocketPayloadSink, IDisposable
{
    private readonly TrafficInspector _inspector;
    private readonly Direction _direction;
    private readonly MessageContext _message;
    private readonly WebSocketFrameDecoder _decoder;
    private readonly List<Finding> _findings = [];
    private StreamScanner? _scanner;
    private bool _reportedFailure;

    public WebSocketInspector(TrafficInspector inspector, Direction direction, MessageContext message, string? negotiatedExtensions)
    {
        _inspector = inspector;
        _direction = direction;
        _message = message;
        _decoder = new WebSocketFrameDecoder(this, WebSocketDecoderOptions.FromNegotiatedExtensions(negotiatedExtensions, direction));
    }

    /// <summary>Feeds wire bytes of this direction; publishes what the messages completed so far contain.</summary>
    public ValueTask ObserveAsync(ReadOnlySpan<byte> bytes)
    {
        if (!_inspector.ScansContent || _decoder.Failed)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            _decoder.Push(bytes);
        }
        catch (Exception ex)
        {
            _decoder.Dispose();
            _inspector.ReportScanFailure(_message.RequestId, ex);
        }

        if (_decoder.Failed && !_reportedFailure)
        {
            _reportedFailure = true;
            _inspector.ReportDecodeFailure(_message.RequestId, "WebSocket " + WireDirection, _decoder.FailureReason ?? "unknown");
        }

        if (_findings.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var batch = _findings.ToArray();
        _findings.Clear();
        return _inspector.PublishAsync(batch, _direction, _message, CancellationToken.None);
    }

    public void OnMessageStart(WebSocketOpcode opcode) => _scanner = _inspector.CreateMessageScanner(_direction);

    public void OnPayload(ReadOnlySpan<byte> data) => _scanner?.Append(data, _findings);

    public void OnMessageEnd()
    {
        _scanner?.Complete(_findings);
        _scanner = null;
    }

    public void OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
    }

    public void Dispose() => _decoder.Dispose();

    private string WireDirection => _direction == Direction.Outbound ? "client→server" : "server→client";
}
