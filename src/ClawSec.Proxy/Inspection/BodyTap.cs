using ClawSec.Core.Decoding;
using ClawSec.Core.Detection;

namespace ClawSec.Proxy.Inspection;

/// <summary>
/// Feeds a copy of one body's bytes through the decoding pipeline (content coding, then SSE, JSON, form or plain
/// text by content type) to a stream scanner, and scans each extra reading of a line (percent-, HTML- or
/// base64-decoded) on its own. Findings are published as soon as they are certain. A decoder or scanner failure
/// ends inspection of this body with a log line; the bytes keep flowing.
/// </summary>
internal sealed class BodyTap : ITextSink
{
    private readonly TrafficInspector _inspector;
    private readonly Direction _direction;
    private readonly MessageContext _message;
    private readonly Func<(string? ContentType, string? ContentEncoding)> _headers;
    private readonly List<Finding> _findings = [];

    // The forwarder may still be reading a body when the request ends and the tap is completed: the decoder and
    // scanner, whose buffers go back to a shared pool at the end, are used by one caller at a time.
    private readonly Lock _gate = new();
    private StreamScanner? _scanner;
    private BodyDecoder? _decoder;
    private bool _started;
    private bool _completed;
    private bool _reportedDecodeFailure;

    /// <param name="headers">The body's Content-Type and Content-Encoding, asked for when the first bytes arrive.</param>
    public BodyTap(TrafficInspector inspector, Direction direction, MessageContext message, Func<(string?, string?)>? headers = null)
    {
        _inspector = inspector;
        _direction = direction;
        _message = message;
        _headers = headers ?? (() => (null, null));
    }

    /// <summary>True while more bytes would be inspected (budget left, scanning on).</summary>
    public bool Wants => !_completed && _inspector.ScansContent && (!_started || (_decoder is { LimitReached: false } && _scanner is not null));

    public ValueTask ObserveAsync(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || _completed || !_inspector.ScansContent)
        {
            return ValueTask.CompletedTask;
        }

        Finding[]? batch;
        lock (_gate)
        {
            if (_completed)
            {
                return ValueTask.CompletedTask;
            }

            try
            {
                Start();
                if (_decoder is not null && !_decoder.LimitReached)
                {
                    _decoder.Push(bytes);
                    ReportDecodeFailure();
                }
            }
            catch (Exception ex)
            {
                Stop(ex);
            }

            batch = TakeFindings();
        }

        return PublishAsync(batch);
    }

    public ValueTask CompleteAsync()
    {
        Finding[]? batch;
        lock (_gate)
        {
            if (_completed)
            {
                return ValueTask.CompletedTask;
            }

            _completed = true;
            try
            {
                if (_decoder is not null)
                {
                    _decoder.Complete();
                    ReportDecodeFailure();
                }

                _scanner?.Complete(_findings);
            }
            catch (Exception ex)
            {
                _inspector.ReportScanFailure(_message.RequestId, ex);
            }

            _decoder?.Dispose();
            _decoder = null;
            _scanner = null;
            batch = TakeFindings();
        }

        return PublishAsync(batch);
    }

    /// <summary>Decoded body text, handed to the scanner as it is.</summary>
    void ITextSink.OnText(ReadOnlySpan<char> text) => _scanner?.AppendText(text, _findings);

    private void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _scanner = _inspector.CreateBodyScanner(_direction);
        if (_scanner is null)
        {
            return;
        }

        var (contentType, contentEncoding) = _headers();

        // A form body is scanned as it was sent, with its decoded reading as a view: decoding alone turns '+' into
        // spaces and breaks base64 values (keys) that clients send raw under the default form content type.
        if (BodyDecoder.FormatOf(contentType) == BodyFormat.Form)
        {
            contentType = "text/plain";
        }

        _decoder = BodyDecoder.Create(contentType, contentEncoding, _inspector.MaxScanBytes, this, new ViewSink(this));
    }

    private void ReportDecodeFailure()
    {
        if (_decoder is { Failed: true } && !_reportedDecodeFailure)
        {
            _reportedDecodeFailure = true;
            _inspector.ReportDecodeFailure(_message.RequestId, (_direction == Direction.Outbound ? "request" : "response") + " body",
                _decoder.FailureReason ?? "unknown");
        }
    }

    private void Stop(Exception ex)
    {
        _decoder?.Dispose();
        _decoder = null;
        _scanner = null;
        _completed = true;
        _inspector.ReportScanFailure(_message.RequestId, ex);
    }

    private Finding[]? TakeFindings()
    {
        if (_findings.Count == 0)
        {
            return null;
        }

        var batch = _findings.ToArray();
        _findings.Clear();
        return batch;
    }

    private ValueTask PublishAsync(Finding[]? batch) =>
        batch is null ? ValueTask.CompletedTask : _inspector.PublishAsync(batch, _direction, _message, CancellationToken.None);

    /// <summary>Another reading of one line (percent-, HTML- or base64-decoded): scanned whole, on its own.</summary>
    private sealed class ViewSink(BodyTap tap) : ITextSink
    {
        public void OnText(ReadOnlySpan<char> text) => tap._findings.AddRange(tap._inspector.ScanLine(text.ToString(), tap._direction));
    }
}
