using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Runs a decoder over wire bytes delivered in the given pieces.</summary>
internal static class Decode
{
    public static RecordingSink All(byte[] wire, WebSocketDecoderOptions? options = null) => Chunks([wire], options);

    public static RecordingSink SplitAt(byte[] wire, int offset, WebSocketDecoderOptions? options = null) =>
        Chunks([wire[..offset], wire[offset..]], options);

    public static RecordingSink ByteByByte(byte[] wire, WebSocketDecoderOptions? options = null) =>
        Chunks(wire.Select(b => new[] { b }), options);

    public static RecordingSink Chunks(IEnumerable<byte[]> chunks, WebSocketDecoderOptions? options = null)
    {
        var sink = new RecordingSink();
        using var decoder = new WebSocketFrameDecoder(sink, options);
        foreach (var chunk in chunks)
        {
            decoder.Push(chunk);
        }

        Assert.Null(decoder.FailureReason);
        Assert.Empty(sink.ContractViolations);
        return sink;
    }
}
