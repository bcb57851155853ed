using System.Buffers;
using System.Text;
using System.Text.Unicode;

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

    // UTF-8, the usual case, is decoded by Utf8Transcoder, much faster than a Decoder on invalid bytes (binary
    // bodies); the end of a sequence cut between pushes waits in _carry.
    private readonly bool _utf8;
    private readonly byte[] _carry = new byte[4];
    private int _carryLength;

    // One extra slot at the front for a high surrogate held back from the previous push. From the shared pool from
    // the first push to Complete.
    private char[] _buffer = [];
    private bool _holdingHighSurrogate;
    private char _heldHighSurrogate;

    public CharsetDecoder(Encoding encoding, ITextSink output)
    {
        _decoder = encoding.GetDecoder();
        _output = output;
        _utf8 = encoding.CodePage == Encoding.UTF8.CodePage;
    }

    public void OnBytes(ReadOnlySpan<byte> bytes) => Decode(bytes, flush: false);

    public void Complete()
    {
        Decode([], flush: true);
        if (_buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

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
        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<char>.Shared.Rent(BufferSize + 1);
        }

        if (_utf8)
        {
            DecodeUtf8(bytes, flush);
            return;
        }

        do
        {
            _decoder.Convert(bytes, _buffer.AsSpan(1), flush, out int bytesUsed, out int charsUsed, out _);
            bytes = bytes[bytesUsed..];
            Emit(charsUsed, flush);
        }
        while (!bytes.IsEmpty);
    }

    private void DecodeUtf8(ReadOnlySpan<byte> bytes, bool flush)
    {
        if (_carryLength > 0)
        {
            // Complete the cut sequence with the first bytes of this push (a sequence is at most four bytes long).
            Span<byte> joined = stackalloc byte[8];
            var take = Math.Min(bytes.Length, 4);
            _carry.AsSpan(0, _carryLength).CopyTo(joined);
            bytes[..take].CopyTo(joined[_carryLength..]);
            var length = _carryLength + take;
            var last = flush && take == bytes.Length;
            var status = Utf8.ToUtf16(joined[..length], _buffer.AsSpan(1), out var read, out var written, replaceInvalidSequences: true, isFinalBlock: last);
            if (status == OperationStatus.NeedMoreData && read <= _carryLength)
            {
                // Still cut: every byte of this push joined the carry.
                joined[read..length].CopyTo(_carry);
                _carryLength = length - read;
                Emit(written, flush: false);
                return;
            }

            var fromThisPush = read - _carryLength;
            _carryLength = 0;
            bytes = bytes[fromThisPush..];
            Emit(written, last);
            if (bytes.IsEmpty && !flush)
            {
                return;
            }
        }

        do
        {
            var status = Utf8Transcoder.ToUtf16(bytes, _buffer.AsSpan(1), out var read, out var written, isFinalBlock: flush);
            bytes = bytes[read..];
            Emit(written, flush && bytes.IsEmpty);
            if (status == OperationStatus.NeedMoreData)
            {
                bytes.CopyTo(_carry);
                _carryLength = bytes.Length;
                return;
            }
        }
        while (!bytes.IsEmpty);
    }

    /// <summary>Passes on the <paramref name="charsUsed"/> characters decoded into the buffer, holding back a high surrogate.</summary>
    private void Emit(int charsUsed, bool flush)
    {
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
}
