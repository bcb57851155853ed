using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>
/// Scans one message's body as it streams: UTF-8 bytes in, findings out. Stops scanning (not the traffic) after the
/// byte budget. Not thread-safe: one instance per message, fed in order.
/// </summary>
/// <remarks>
/// Findings do not depend on how the body was chunked: they are exactly <see cref="Scanner.ScanText"/> of the
/// whole (scanned part of the) body, in the same order. To get that, the scanner keeps a window of decoded text:
/// <list type="bullet">
/// <item>A match is reported only once <see cref="Scanner.Horizon"/> characters (the longest
/// <see cref="Rule.MaxMatchLength"/>, at least what a snippet needs; 8 KiB for the built-in rules) follow its start:
/// by then it cannot grow, and no longer match can start before it. Until then it is held, or found at
/// <see cref="Complete"/>.</item>
/// <item>Each rule resumes where its last search stopped, so a match is reported exactly once.</item>
/// <item>Text is kept <see cref="Scanner.StreamContext"/> characters before the earliest place a match may still
/// start, for lookbehinds and for the snippet's context and redaction.</item>
/// </list>
/// Matches are searched every <see cref="DefaultScanStep"/> new characters rather than on every chunk, so tiny
/// chunks do not rescan the window each time; a finding is thus reported at most that much later than certain.
/// The buffer so holds about <see cref="Scanner.StreamContext"/> + <see cref="Scanner.Horizon"/> + that step
/// characters (about 20 K for the built-in rules, however large the body).
/// </remarks>
public sealed class StreamScanner
{
    internal const int DefaultScanStep = 4096;

    // A decoder needs room for a surrogate pair to make progress.
    private const int MinFree = 2;
    private const int InitialCapacity = 1024;

    private readonly Scanner _scanner;
    private readonly RuleSet _rules;
    private readonly long _maxBytes;
    private readonly int _scanStep;
    private readonly long[] _cursor;
    private readonly List<Finding> _batch = [];
    private readonly List<(int Index, int Length)> _matches = [];
    private CandidateWindows? _windows;

    private Decoder? _decoder;
    private char[] _buffer = [];
    private int _length;

    // Message offset of _buffer[0].
    private long _bufferStart;

    // Buffer index up to which keywords have been looked for.
    private int _keywordsSeen;
    private int _sinceScan;
    private bool _finished;
    private bool _appended;

    internal StreamScanner(Scanner scanner, Direction direction, long maxBytes, int scanStep = DefaultScanStep)
    {
        _scanner = scanner;
        _rules = scanner.RulesFor(direction);
        _maxBytes = Math.Max(0, maxBytes);
        _scanStep = Math.Max(1, scanStep);
        _cursor = new long[_rules.Rules.Length];
    }

    /// <summary>Bytes of the message taken for scanning so far (never more than the budget).</summary>
    public long BytesScanned { get; private set; }

    /// <summary>True once the budget is used up; with a budget of 0 (content scanning off), from the start.</summary>
    public bool BudgetExhausted => BytesScanned >= _maxBytes;

    /// <summary>
    /// Takes the next chunk of the body; adds to <paramref name="into"/> the findings that have become certain.
    /// </summary>
    public void Append(ReadOnlySpan<byte> chunk, List<Finding> into)
    {
        if (_finished || chunk.IsEmpty || BudgetExhausted)
        {
            return;
        }

        var bytes = chunk[..(int)Math.Min(chunk.Length, _maxBytes - BytesScanned)];
        BytesScanned += bytes.Length;
        _decoder ??= Encoding.UTF8.GetDecoder();
        _appended = true;
        while (!bytes.IsEmpty)
        {
            MakeRoom();
            _decoder.Convert(bytes, _buffer.AsSpan(_length), flush: false, out var bytesUsed, out var charsUsed, out _);
            bytes = bytes[bytesUsed..];
            _length += charsUsed;
            _sinceScan += charsUsed;
            if (_sinceScan >= _scanStep)
            {
                Scan(final: false, into);
            }
        }

        if (BudgetExhausted)
        {
            // Nothing more will be scanned, so everything is certain now. A character cut by the budget is dropped.
            Finish(flush: false, into);
        }
    }

    /// <summary>
    /// Takes the next chunk of the body as decoded text; adds to <paramref name="into"/> the findings that have become
    /// certain. For a stream fed text rather than UTF-8 bytes (a decoder's output): the budget then counts characters.
    /// One stream is fed one way or the other, not both.
    /// </summary>
    public void AppendText(ReadOnlySpan<char> text, List<Finding> into)
    {
        if (_finished || text.IsEmpty || BudgetExhausted)
        {
            return;
        }

        var chars = text[..(int)Math.Min(text.Length, _maxBytes - BytesScanned)];
        BytesScanned += chars.Length;
        _appended = true;
        while (!chars.IsEmpty)
        {
            MakeRoom();
            var taken = Math.Min(chars.Length, _buffer.Length - _length);
            chars[..taken].CopyTo(_buffer.AsSpan(_length));
            chars = chars[taken..];
            _length += taken;
            _sinceScan += taken;
            if (_sinceScan >= _scanStep)
            {
                Scan(final: false, into);
            }
        }

        if (BudgetExhausted)
        {
            Finish(flush: false, into);
        }
    }

    /// <summary>Ends the body: adds every finding still held.</summary>
    public void Complete(List<Finding> into) => Finish(flush: true, into);

    private void Finish(bool flush, List<Finding> into)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        if (!_appended)
        {
            return;
        }

        if (flush && _decoder is not null)
        {
            MakeRoom();
            _decoder.Convert([], _buffer.AsSpan(_length), flush: true, out _, out var charsUsed, out _);
            _length += charsUsed;
        }

        Scan(final: true, into);
        ReturnBuffer();
        _decoder = null;
        _rules.Prefilter.ReturnWindows(_windows);
        _windows = null;
    }

    private void Scan(bool final, List<Finding> into)
    {
        _sinceScan = 0;
        var text = _buffer.AsSpan(0, _length);
        var from = Math.Max(0, _keywordsSeen - _rules.Prefilter.MaxKeywordLength + 1);
        _rules.Prefilter.Collect(text, from, _bufferStart, _rules.Rules.Length, ref _windows);
        _keywordsSeen = _length;

        // Matches starting at or before limit are certain; later ones wait for more text. The keyword margin makes
        // sure a keyword inside such a match has been seen whole.
        var limit = final ? int.MaxValue : _length - _scanner.Horizon - _rules.Prefilter.MaxKeywordLength;
        for (var i = 0; i < _rules.Rules.Length; i++)
        {
            var cursor = (int)(_cursor[i] - _bufferStart);
            _matches.Clear();
            try
            {
                cursor = Scanner.MatchWindows(_rules, i, text, _bufferStart, cursor, limit, _windows is null ? default : _windows.Of(i), _matches, out var done);
                _windows?.Consume(i, done);
            }
            catch (RegexMatchTimeoutException)
            {
                // Only user rules carry a timeout; such a rule finds nothing in this stretch of text.
                _windows?.DropEndingBy(i, _bufferStart + limit);
            }

            _scanner.AddFindings(_rules.Rules[i], text, _bufferStart, _matches, _batch);

            // Every position up to limit has been decided.
            _cursor[i] = _bufferStart + Math.Max(cursor, (long)limit + 1);
        }

        Scanner.SortByOffset(_batch);
        into.AddRange(_batch);
        _batch.Clear();
    }

    private void MakeRoom()
    {
        if (_buffer.Length - _length >= MinFree)
        {
            return;
        }

        // Drop text no later match, lookbehind or snippet can need.
        var keepFrom = _bufferStart + _keywordsSeen - _rules.Prefilter.MaxKeywordLength;
        foreach (var cursor in _cursor)
        {
            keepFrom = Math.Min(keepFrom, cursor);
        }

        var drop = (int)Math.Clamp(keepFrom - _scanner.StreamContext - _bufferStart, 0, _length);
        if (drop > 0)
        {
            Array.Copy(_buffer, drop, _buffer, 0, _length - drop);
            _length -= drop;
            _keywordsSeen -= drop;
            _bufferStart += drop;
        }

        // Grow rather than compact a nearly full buffer over and over.
        if (_buffer.Length - _length < Math.Max(MinFree, _buffer.Length / 4))
        {
            var grown = ArrayPool<char>.Shared.Rent(Math.Max(InitialCapacity, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(grown);
            ReturnBuffer();
            _buffer = grown;
        }
    }

    // The window comes from the shared pool (a body's scan would otherwise allocate its growing buffer anew each
    // time) and goes back when the body ends; a stream abandoned before its end leaves its buffer to the collector.
    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_buffer);
        }

        _buffer = [];
    }
}
