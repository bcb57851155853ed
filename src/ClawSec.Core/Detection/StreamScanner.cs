using System.Text;

namespace ClawSec.Core.Detection;

/// <summary>
/// Scans one message's body as it streams: UTF-8 bytes in, findings out. A match split across chunks is found
/// once. Stops scanning (not the traffic) after the byte budget.
/// </summary>
public sealed class StreamScanner
{
    private readonly Scanner _scanner;
    private readonly Direction _direction;
    private readonly long _maxBytes;
    private readonly StringBuilder _text = new();

    internal StreamScanner(Scanner scanner, Direction direction, long maxBytes)
    {
        _scanner = scanner;
        _direction = direction;
        _maxBytes = maxBytes;
    }

    public long BytesScanned { get; private set; }

    public bool BudgetExhausted => BytesScanned >= _maxBytes;

    public void Append(ReadOnlySpan<byte> chunk, List<Finding> into)
    {
        var take = (int)Math.Min(chunk.Length, _maxBytes - BytesScanned);
        if (take <= 0)
        {
            return;
        }

        BytesScanned += take;
        _text.Append(Encoding.UTF8.GetString(chunk[..take]));
    }

    public void Complete(List<Finding> into) => into.AddRange(_scanner.ScanText(_text.ToString(), _direction));
}
