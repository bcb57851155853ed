using ClawSec.Core.Detection;

namespace ClawSec.Proxy.Inspection;

/// <summary>
/// Feeds a copy of one body's bytes to a stream scanner and publishes what it finds as soon as it finds it.
/// A scanner failure turns scanning off for the rest of the body; the bytes keep flowing.
/// </summary>
internal sealed class BodyTap
{
    private readonly TrafficInspector _inspector;
    private readonly Direction _direction;
    private readonly MessageContext _message;
    private readonly List<Finding> _findings = [];
    private StreamScanner? _scanner;
    private bool _completed;

    public BodyTap(TrafficInspector inspector, Direction direction, MessageContext message)
    {
        _inspector = inspector;
        _direction = direction;
        _message = message;
        _scanner = inspector.CreateBodyScanner(direction);
    }

    /// <summary>True while more bytes would be scanned (budget left, scanning on).</summary>
    public bool Wants => _scanner is { BudgetExhausted: false } && !_completed;

    public ValueTask ObserveAsync(ReadOnlySpan<byte> bytes)
    {
        if (_scanner is null || bytes.IsEmpty || _scanner.BudgetExhausted)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            _scanner.Append(bytes, _findings);
        }
        catch (Exception ex)
        {
            _scanner = null;
            _inspector.ReportScanFailure(_message.RequestId, ex);
        }

        return FlushFindingsAsync();
    }

    public ValueTask CompleteAsync()
    {
        if (_completed)
        {
            return ValueTask.CompletedTask;
        }

        _completed = true;
        try
        {
            _scanner?.Complete(_findings);
        }
        catch (Exception ex)
        {
            _inspector.ReportScanFailure(_message.RequestId, ex);
        }

        _scanner = null;
        return FlushFindingsAsync();
    }

    private ValueTask FlushFindingsAsync()
    {
        if (_findings.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var batch = _findings.ToArray();
        _findings.Clear();
        return _inspector.PublishAsync(batch, _direction, _message, CancellationToken.None);
    }
}
