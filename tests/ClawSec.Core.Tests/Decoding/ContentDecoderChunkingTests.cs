using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>What the content decoder yields must not depend on where the network split the body.</summary>
public sealed class ContentDecoderChunkingTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "data: {\"choices\":[{\"delta\":{\"content\":\"AKIAIOSFODNN7EXAMPLE\"}}]}\n\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"event {i} ✓\n")));

    public static TheoryData<string> Codings => ["gzip", "deflate", "br", "zstd", "gzip, br", "identity"];

    [Theory]
    [MemberData(nameof(Codings))]
    public void Splitting_the_body_at_any_offset_gives_the_same_output(string coding)
    {
        var body = Compress.Encode(coding, Body);

        for (int offset = 0; offset <= body.Length; offset++)
        {
            var result = ContentDecode.SplitAt(coding, body, offset);

            Assert.Null(result.FailureReason);
            Assert.Equal(Body, result.Bytes);
        }
    }

    [Theory]
    [MemberData(nameof(Codings))]
    public void Pushing_one_byte_at_a_time_gives_the_same_output(string coding)
    {
        var body = Compress.Encode(coding, Body);

        Assert.Equal(Body, ContentDecode.ByteByByte(coding, body).Bytes);
    }

    [Fact]
    public void Raw_deflate_split_at_any_offset_gives_the_same_output()
    {
        var body = Compress.RawDeflate(Body);

        for (int offset = 0; offset <= body.Length; offset++)
        {
            Assert.Equal(Body, ContentDecode.SplitAt("deflate", body, offset).Bytes);
        }
    }

    [Property(MaxTest = 60)]
    public Property Random_bodies_decode_to_the_original_however_encoded_and_chunked(NonNull<string> text, int seed)
    {
        var random = new Random(seed);
        var original = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(text.Get, random.Next(1, 400))));
        string[] codings = ["gzip", "deflate", "br", "zstd"];
        var coding = string.Join(", ", Enumerable.Range(0, random.Next(1, 3)).Select(_ => codings[random.Next(codings.Length)]));
        var body = Compress.Encode(coding, original);

        var result = ContentDecode.Chunks(coding, ContentDecode.RandomChunks(body, random));

        return (result.FailureReason is null && result.Bytes.AsSpan().SequenceEqual(original)).Label($"{coding}, seed {seed}: {result.FailureReason}");
    }
}
