namespace ClawSec.Core.Decoding;

/// <summary>Undoes one content coding: compressed bytes in, decompressed bytes out through a <see cref="StageOutput"/>.</summary>
/// <remarks>
/// Corrupt data is reported through <see cref="StageOutput.Fail"/>, never thrown; exceptions from the output
/// (ultimately the caller's sink) are not caught. A stage stops work as soon as its output is stopped.
/// </remarks>
internal abstract class ContentCodingStage : IDisposable
{
    protected const int BufferSize = 16 * 1024;

    protected ContentCodingStage(string coding) => Coding = coding;

    /// <summary>The content coding's name as written in <c>Content-Encoding</c>, for failure reasons.</summary>
    public string Coding { get; }

    /// <summary>Decodes the next input, which is only valid during the call.</summary>
    public abstract void Push(ReadOnlySpan<byte> input, StageOutput output);

    /// <summary>The input has ended: a stream that stopped in the middle is reported as truncated.</summary>
    public abstract void Complete(StageOutput output);

    public abstract void Dispose();
}
