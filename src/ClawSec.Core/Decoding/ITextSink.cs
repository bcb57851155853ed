namespace ClawSec.Core.Decoding;

/// <summary>Receives text from a decoder, in order.</summary>
/// <remarks>
/// For a decoder's main output, consecutive chunks are one continuous text: where they are cut says nothing, so a
/// scanner must treat a match across two chunks like any other. The decoders in this folder never cut between the
/// two halves of a surrogate pair, so each chunk can be encoded on its own.
/// </remarks>
public interface ITextSink
{
    /// <summary>The next piece of text; never empty. The span is only valid during the call.</summary>
    void OnText(ReadOnlySpan<char> text);
}
