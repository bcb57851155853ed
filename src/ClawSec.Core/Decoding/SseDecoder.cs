using System.Text;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Splits a <c>text/event-stream</c> body, pushed as UTF-8 in pieces of any size, into events by the rules of
/// the WHATWG HTML standard (section 9.2.6, "Interpreting an event stream"): lines end with CR, LF or CRLF (also
/// when a CRLF is split between pushes), <c>data:</c> lines are joined with <c>\n</c>, <c>event:</c> names the
/// type, <c>id:</c> sets the last event ID, lines starting with a colon are comments, and a blank line
/// dispatches the event.
/// </summary>
/// <remarks>
/// One deliberate difference: at the end of the stream a browser discards an event that was not ended by a blank
/// line, but it went over the wire all the same, so <see cref="Complete"/> dispatches it. An event's data beyond
/// the limit given is dropped. Exceptions thrown by the sink are not caught.
/// </remarks>
public sealed class SseDecoder
{
    /// <summary>16 Mi characters, the same order as the decoded-body limit: beyond any real event.</summary>
    public const int DefaultMaxEventChars = 16 * 1024 * 1024;

    private const int DecodeBufferSize = 4096;

    private readonly ISseEventSink _sink;
    private readonly int _maxEventChars;
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private readonly char[] _decoded = new char[DecodeBufferSize];
    private readonly StringBuilder _data = new();

    // A line that has not ended yet in what was pushed so far.
    private char[] _line = [];
    private int _lineLength;
    private bool _afterCarriageReturn;
    private bool _started;
    private string? _eventType;

    public SseDecoder(ISseEventSink sink, int maxEventChars = DefaultMaxEventChars)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(maxEventChars);
        _sink = sink;
        _maxEventChars = maxEventChars;
    }

    /// <summary>The last event ID set by an <c>id:</c> field, as a reconnecting client would send it.</summary>
    public string LastEventId { get; private set; } = "";

    /// <summary>Takes the next bytes of the stream.</summary>
    public void Push(ReadOnlySpan<byte> utf8)
    {
        Decode(utf8, flush: false);
    }

    /// <summary>The stream has ended: dispatches an event still in progress.</summary>
    public void Complete()
    {
        Decode([], flush: true);
        if (_lineLength > 0)
        {
            ProcessLine(_line.AsSpan(0, _lineLength));
            _lineLength = 0;
        }

        Dispatch();
        _afterCarriageReturn = false;
    }

    private void Decode(ReadOnlySpan<byte> utf8, bool flush)
    {
        do
        {
            _utf8.Convert(utf8, _decoded, flush, out int bytesUsed, out int charsUsed, out _);
            utf8 = utf8[bytesUsed..];
            Parse(_decoded.AsSpan(0, charsUsed));
        }
        while (!utf8.IsEmpty);
    }

    private void Parse(ReadOnlySpan<char> text)
    {
        if (!_started && !text.IsEmpty)
        {
            // One byte order mark at the very start of the stream is not part of the first line.
            _started = true;
            if (text[0] == '\uFEFF')
            {
                text = text[1..];
            }
        }

        while (!text.IsEmpty)
        {
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (text[0] == '\n')
                {
                    text = text[1..];
                    continue;
                }
            }

            int end = text.IndexOfAny('\r', '\n');
            if (end < 0)
            {
                HoldPartialLine(text);
                return;
            }

            if (_lineLength > 0)
            {
                HoldPartialLine(text[..end]);
                ProcessLine(_line.AsSpan(0, _lineLength));
                _lineLength = 0;
            }
            else
            {
                ProcessLine(text[..end]);
            }

            _afterCarriageReturn = text[end] == '\r';
            text = text[(end + 1)..];
        }
    }

    private void HoldPartialLine(ReadOnlySpan<char> text)
    {
        text = text[..Math.Min(text.Length, _maxEventChars - _lineLength)];
        if (_lineLength + text.Length > _line.Length)
        {
            Array.Resize(ref _line, Math.Max(_lineLength + text.Length, Math.Min(_maxEventChars, Math.Max(256, _line.Length * 2))));
        }

        text.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += text.Length;
    }

    private void ProcessLine(ReadOnlySpan<char> line)
    {
        if (line.IsEmpty)
        {
            Dispatch();
            return;
        }

        if (line[0] == ':')
        {
            return;
        }

        int colon = line.IndexOf(':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (value is [' ', ..])
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"))
        {
            int room = _maxEventChars - _data.Length;
            _data.Append(value[..Math.Min(value.Length, Math.Max(0, room))]);
            if (_data.Length < _maxEventChars)
            {
                _data.Append('\n');
            }
        }
        else if (field.SequenceEqual("event"))
        {
            _eventType = value.ToString();
        }
        else if (field.SequenceEqual("id") && !value.Contains('\0'))
        {
            LastEventId = value.ToString();
        }
    }

    private void Dispatch()
    {
        if (_data.Length == 0)
        {
            _eventType = null;
            return;
        }

        if (_data[^1] == '\n')
        {
            _data.Length--;
        }

        var sseEvent = new SseEvent(_eventType ?? "message", _data.ToString(), LastEventId);
        _data.Clear();
        _eventType = null;
        _sink.OnEvent(sseEvent);
    }
}
