using System.Text;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Decodes bytes in a given character encoding, pushed in pieces of any size, into text for an
/// <see cref="ITextSink"/>; a character split between pushes is joined, and a surrogate pair is never cut
/// between two chunks. Bytes that are not valid in the encoding become U+FFFD.
/// </summary>
internal sealed class CharsetDecoder : IByteSink
{
    private const int BufferSize = 4096;

    private readonly Decoder _decoder;
    private readonly ITextSink _output;

    // One extra slot at the front for a high surrogate held back from the previous push.
    private readonly char[] _buffer = new char[BufferSize + 1];
    private bool _holdingHighSurrogate;
    private char _heldHighSurrogate;

    public CharsetDecoder(Encoding encoding, ITextSink output)
    {
        _decoder = encoding.GetDecoder();
        _output = output;
    }

    public void OnBytes(ReadOnlySpan<byte> bytes) => Decode(bytes, flush: false);

    public void Complete() => Decode([], flush: true);

    /// <summary>The encoding a <c>charset</c> parameter names, or UTF-8 when it names none that is available.</summary>
    public static Encoding EncodingFor(string? charset)
    {
        if (!string.IsNullOrWhiteSpace(charset))
        {
            try
            {
                return Encoding.GetEncoding(charset.Trim().Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown or unsupported charset: UTF-8 is what most such bodies really are.
            }
        }

        return Encoding.UTF8;
    }

    private void Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        do
        {
            _decoder.Convert(bytes, _buffer.AsSpan(1), flush, out int bytesUsed, out int charsUsed, out _);
            bytes = bytes[bytesUsed..];
            int from = 1;
            int to = 1 + charsUsed;
            if (_holdingHighSurrogate && (charsUsed > 0 || flush))
            {
                _buffer[0] = _heldHighSurrogate;
                _holdingHighSurrogate = false;
                from = 0;
            }

            if (!flush && to > from && char.IsHighSurrogate(_buffer[to - 1]))
            {
                _heldHighSurrogate = _buffer[--to];
                _holdingHighSurrogate = true;
            }

            if (to > from)
            {
                _output.OnText(_buffer.AsSpan(from, to - from));
            }
        }
        while (!bytes.IsEmpty);
    }
}
