using System.Text;
using System.Text.Json;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Turns the events of a streamed LLM response into text a scanner can search as a whole: the pieces of each
/// content block, choice or tool call (the delta strings of the Anthropic, OpenAI and Gemini streaming shapes,
/// see <see cref="SseDeltas"/>) are joined into one continuous stream, so a secret or a command split across
/// two events' <c>data:</c> lines comes out in one piece.
/// </summary>
/// <remarks>
/// <para>Each joined stream goes through a <see cref="JsonStringExtractor"/>, so streamed tool-call arguments
/// (JSON text) come out with their escapes undone. Streams are written one after another, each followed by a
/// line feed, in the order they started: a stream that starts while another is being written is held until
/// that one ends, so interleaved streams (parallel tool calls) are still each contiguous. Other events, and
/// the parts of an event that are not deltas, are written whole, JSON ones with their strings unescaped, also
/// each followed by a line feed and never in the middle of a stream. Data that is not JSON is written as it
/// is; OpenAI's closing <c>[DONE]</c> only ends the streams.</para>
/// <para>At most the given number of characters are held back; past that, the stream being written is
/// treated as ended, which may cut it in two.</para>
/// </remarks>
public sealed class SseJsonDeltaJoiner : ISseEventSink
{
    /// <summary>16 Mi characters, the same order as the decoded-body limit.</summary>
    public const long DefaultMaxHeldChars = 16 * 1024 * 1024;

    private readonly ITextSink _output;
    private readonly long _maxHeldChars;
    private readonly JsonStringExtractor _streamText;
    private readonly JsonStringExtractor _wholeText;
    private readonly SseDeltas _deltas = new();

    // Streams that started while another was being written, in the order they started.
    private readonly List<Stream> _waiting = [];
    private readonly List<string> _heldEvents = [];
    private Stream? _writing;
    private long _heldChars;

    public SseJsonDeltaJoiner(ITextSink output, long maxHeldChars = DefaultMaxHeldChars)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHeldChars);
        _output = output;
        _maxHeldChars = maxHeldChars;
        _streamText = new JsonStringExtractor(output);
        _wholeText = new JsonStringExtractor(output);
    }

    public void OnEvent(SseEvent sseEvent)
    {
        var data = sseEvent.Data;
        if (data == "[DONE]")
        {
            End("");
            return;
        }

        using var document = TryParseObject(data);
        if (document is null)
        {
            WriteWhole(data);
            return;
        }

        _deltas.Read(document.RootElement);
        foreach (var (key, text) in _deltas.Fragments)
        {
            Append(key, text);
        }

        bool repeatsSeenStream = _deltas.Repeats is { } repeated && IsOpen(repeated);
        if (_deltas.PassOn || (_deltas.Repeats is not null && !repeatsSeenStream))
        {
            WriteWhole(data);
        }

        foreach (var prefix in _deltas.Closes)
        {
            End(prefix);
        }
    }

    /// <summary>The event stream has ended: writes every stream and event still held.</summary>
    public void Complete() => End("");

    private static JsonDocument? TryParseObject(string data)
    {
        if (data.AsSpan().TrimStart() is not ['{', ..])
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private bool IsOpen(string key) =>
        (_writing is { } writing && writing.Key == key) || _waiting.Exists(s => s.Key == key && !s.Ended);

    private void Append(string key, string text)
    {
        if (_writing is { } writing && writing.Key == key)
        {
            _streamText.Push(text);
            return;
        }

        var stream = _waiting.Find(s => s.Key == key && !s.Ended);
        if (stream is null)
        {
            stream = new Stream(key);
            _waiting.Add(stream);
        }

        stream.Held.Append(text);
        Hold(text.Length);
        if (_writing is null)
        {
            WriteNext();
        }
    }

    private void WriteWhole(string data)
    {
        if (_writing is not null)
        {
            _heldEvents.Add(data);
            Hold(data.Length);
            return;
        }

        _wholeText.Push(data);
        _wholeText.Complete();
        _output.OnText("\n");
    }

    /// <summary>Ends the streams whose keys start with <paramref name="prefix"/>; the empty prefix ends all.</summary>
    private void End(string prefix)
    {
        foreach (var stream in _waiting)
        {
            if (stream.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                stream.Ended = true;
            }
        }

        if (_writing is { } writing && writing.Key.StartsWith(prefix, StringComparison.Ordinal))
        {
            writing.Ended = true;
            WriteNext();
        }
    }

    private void Hold(int chars)
    {
        _heldChars += chars;
        if (_heldChars > _maxHeldChars && _writing is { } writing)
        {
            writing.Ended = true;
            WriteNext();
        }
    }

    /// <summary>
    /// Finishes the stream being written if it has ended, writes the events held meanwhile, and moves on to the
    /// next stream, writing what it holds; streams that ended while waiting are written out whole.
    /// </summary>
    private void WriteNext()
    {
        while (true)
        {
            if (_writing is { Ended: false })
            {
                return;
            }

            if (_writing is not null)
            {
                _streamText.Complete();
                _output.OnText("\n");
                _writing = null;
            }

            var events = _heldEvents.ToArray();
            _heldEvents.Clear();
            foreach (var data in events)
            {
                _heldChars -= data.Length;
                WriteWhole(data);
            }

            if (_waiting.Count == 0)
            {
                return;
            }

            var next = _waiting[0];
            _waiting.RemoveAt(0);
            _writing = next;
            _heldChars -= next.Held.Length;
            foreach (var chunk in next.Held.GetChunks())
            {
                _streamText.Push(chunk.Span);
            }

            next.Held.Clear();
        }
    }

    private sealed class Stream(string key)
    {
        public string Key { get; } = key;

        public StringBuilder Held { get; } = new();

        public bool Ended { get; set; }
    }
}
