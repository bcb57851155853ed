using System.Buffers;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Collects the small pieces a text decoder produces (an unescaped character here, a run there) into larger
/// chunks for an <see cref="ITextSink"/>, and never ends a chunk between the halves of a surrogate pair.
/// </summary>
internal sealed class TextOutput
{
    private const int Capacity = 4096;

    private readonly ITextSink _sink;

    // From the shared pool while text is held (a body with little text costs no buffer of its own); back to it
    // when the text ends.
    private char[] _buffer = [];
    private int _length;

    public TextOutput(ITextSink sink) => _sink = sink;

    public void Append(char c)
    {
        if (_length == _buffer.Length)
        {
            Reserve();
        }

        _buffer[_length++] = c;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (_length == 0 && text.Length >= Capacity)
            {
                // Long runs go straight through rather than through the buffer.
                int direct = char.IsHighSurrogate(text[^1]) ? text.Length - 1 : text.Length;
                _sink.OnText(text[..direct]);
                text = text[direct..];
                continue;
            }

            if (_buffer.Length == 0)
            {
                _buffer = ArrayPool<char>.Shared.Rent(Capacity);
            }

            int take = Math.Min(text.Length, Capacity - _length);
            text[..take].CopyTo(_buffer.AsSpan(_length));
            _length += take;
            text = text[take..];
            if (_length == Capacity)
            {
                Flush();
            }
        }
    }

    /// <summary>Delivers what is collected, except a final high surrogate whose partner may come next.</summary>
    public void Flush()
    {
        int ready = _length > 0 && char.IsHighSurrogate(_buffer[_length - 1]) ? _length - 1 : _length;
        if (ready == 0)
        {
            return;
        }

        _sink.OnText(_buffer.AsSpan(0, ready));
        _buffer.AsSpan(ready, _length - ready).CopyTo(_buffer);
        _length -= ready;
    }

    /// <summary>Delivers everything: the text has ended.</summary>
    public void FlushAll()
    {
        if (_length > 0)
        {
            _sink.OnText(_buffer.AsSpan(0, _length));
            _length = 0;
        }

        if (_buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>Makes room for one more character: a buffer if there is none, else room by delivering the held text.</summary>
    private void Reserve()
    {
        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<char>.Shared.Rent(Capacity);
        }
        else
        {
            Flush();
        }
    }
}
