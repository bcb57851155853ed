namespace ClawSec.Core.Decoding;

/// <summary>Where one stage of a <see cref="ContentDecoder"/> writes: the next stage, or the caller's sink.</summary>
internal sealed class StageOutput
{
    private readonly ContentDecoder _decoder;
    private readonly int _next;
    private readonly string _coding;

    public StageOutput(ContentDecoder decoder, int next, string coding)
    {
        _decoder = decoder;
        _next = next;
        _coding = coding;
    }

    /// <summary>Decoding has failed, hit its limit or been disposed: the stage should stop working.</summary>
    public bool Stopped => _decoder.Stopped;

    public void Write(ReadOnlySpan<byte> bytes) => _decoder.Forward(_next, bytes);

    public void Fail(ContentDecoderError error) => _decoder.Fail(error, _coding);
}
