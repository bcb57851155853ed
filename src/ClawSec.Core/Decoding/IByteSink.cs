namespace ClawSec.Core.Decoding;

/// <summary>Receives decoded bytes from a <see cref="ContentDecoder"/>, in order.</summary>
public interface IByteSink
{
    /// <summary>The next decoded bytes; never empty. The span is only valid during the call.</summary>
    void OnBytes(ReadOnlySpan<byte> bytes);
}
