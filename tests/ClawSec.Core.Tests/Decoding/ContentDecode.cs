using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Runs a <see cref="ContentDecoder"/> over a body delivered in the given pieces.</summary>
internal static class ContentDecode
{
    public sealed record Result(byte[] Bytes, ContentDecoderError Error, string? FailureReason, bool LimitReached, long DecodedBytes);

    public static Result All(string? contentEncoding, byte[] body, long maxDecodedBytes = ContentDecoder.DefaultMaxDecodedBytes) =>
        Chunks(contentEncoding, [body], maxDecodedBytes);

    public static Result SplitAt(string? contentEncoding, byte[] body, int offset) =>
        Chunks(contentEncoding, [body[..offset], body[offset..]]);

    public static Result ByteByByte(string? contentEncoding, byte[] body) =>
        Chunks(contentEncoding, body.Select(b => new[] { b }));

    public static Result Chunks(string? contentEncoding, IEnumerable<byte[]> chunks, long maxDecodedBytes = ContentDecoder.DefaultMaxDecodedBytes)
    {
        var sink = new ByteRecorder();
        using var decoder = ContentDecoder.Create(contentEncoding, sink, maxDecodedBytes);
        foreach (var chunk in chunks)
        {
            decoder.Push(chunk);
        }

        decoder.Complete();
        Assert.Equal(0, sink.EmptyCalls);
        Assert.Equal(decoder.DecodedBytes, sink.Bytes.Length);
        return new Result(sink.Bytes, decoder.Error, decoder.FailureReason, decoder.LimitReached, decoder.DecodedBytes);
    }

    public static IEnumerable<byte[]> RandomChunks(byte[] body, Random random)
    {
        int largest = random.Next(3) switch
        {
            0 => 1,
            1 => 20,
            _ => 5_000,
        };
        for (int offset = 0; offset < body.Length;)
        {
            int size = Math.Min(random.Next(1, largest + 1), body.Length - offset);
            yield return body[offset..(offset + size)];
            offset += size;
        }
    }
}
