namespace ClawSec.Core.Decoding;

/// <summary>Why a <see cref="ContentDecoder"/> does not, or no longer, decode.</summary>
public enum ContentDecoderError
{
    None,

    /// <summary>The <c>Content-Encoding</c> names a coding this decoder does not know; nothing is decoded.</summary>
    UnsupportedEncoding,

    /// <summary>The compressed data is corrupt; what was decoded before it was delivered.</summary>
    InvalidData,

    /// <summary>The body ended in the middle of the compressed data.</summary>
    Truncated,
}
