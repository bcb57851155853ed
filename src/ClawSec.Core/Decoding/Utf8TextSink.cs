using System.Text;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Encodes text chunks as UTF-8 for a consumer of bytes, such as a scanner that takes UTF-8: lets a
/// <see cref="BodyDecoder"/> feed one directly.
/// </summary>
public sealed class Utf8TextSink : ITextSink
{
    private const int ChunkChars = 4096;

    private readonly IByteSink _output;
    private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
    private readonly byte[] _buffer = new byte[Encoding.UTF8.GetMaxByteCount(ChunkChars)];

    public Utf8TextSink(IByteSink output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    public void OnText(ReadOnlySpan<char> text) => Encode(text, flush: false);

    /// <summary>The text has ended: a lone high surrogate still held is written as U+FFFD.</summary>
    public void Complete() => Encode([], flush: true);

    private void Encode(ReadOnlySpan<char> text, bool flush)
    {
        do
        {
            // The encoder keeps a high surrogate that ends one slice for the next, so slices may cut anywhere.
            var slice = text[..Math.Min(text.Length, ChunkChars)];
            _encoder.Convert(slice, _buffer, flush && slice.Length == text.Length, out int charsUsed, out int bytesUsed, out _);
            if (bytesUsed > 0)
            {
                _output.OnBytes(_buffer.AsSpan(0, bytesUsed));
            }

            text = text[charsUsed..];
        }
        while (!text.IsEmpty);
    }
}
