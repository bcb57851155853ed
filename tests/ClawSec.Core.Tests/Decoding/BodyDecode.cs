using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Runs a <see cref="BodyDecoder"/> over a body delivered in the given pieces.</summary>
internal static class BodyDecode
{
    public sealed record Result(string Text, List<string> Views, BodyFormat Format, ContentDecoderError Error, string? FailureReason, bool LimitReached);

    public static Result All(string? contentType, string? contentEncoding, byte[] body, long maxDecodedBytes = BodyDecoder.DefaultMaxDecodedBytes) =>
        Chunks(contentType, contentEncoding, [body], maxDecodedBytes);

    public static Result Chunks(string? contentType, string? contentEncoding, IEnumerable<byte[]> chunks, long maxDecodedBytes = BodyDecoder.DefaultMaxDecodedBytes)
    {
        var text = new TextRecorder();
        var views = new TextRecorder();
        using var decoder = BodyDecoder.Create(contentType, contentEncoding, maxDecodedBytes, text, views);
        foreach (var chunk in chunks)
        {
            decoder.Push(chunk);
        }

        decoder.Complete();
        Assert.Empty(text.ContractViolations);
        Assert.DoesNotContain("empty chunk", views.ContractViolations);
        return new Result(text.Text, views.Chunks, decoder.Format, decoder.Error, decoder.FailureReason, decoder.LimitReached);
    }
}
