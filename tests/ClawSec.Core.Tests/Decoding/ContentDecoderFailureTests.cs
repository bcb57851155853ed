using System.Text;
using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Corrupt, truncated and oversized bodies stop decoding with a reason and never throw.</summary>
public sealed class ContentDecoderFailureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        string.Concat(Enumerable.Range(0, 40).Select(i => $"line {i}: export TOKEN_{i}=ghp_{i * 104729:D36}\n")));

    public static TheoryData<string> Compressed => ["gzip", "deflate", "br", "zstd"];

    [Theory]
    [InlineData("gzip", new byte[] { 0x1F, 0x8C, 0x08, 0x00 })]
    [InlineData("deflate", new byte[] { 0x78, 0x9C, 0xFF, 0xFF })]
    [InlineData("deflate", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData("br", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData("zstd", new byte[] { 0x28, 0xB5, 0x2F, 0xFE, 0x00, 0x00 })]
    public void Bytes_that_are_not_the_declared_coding_fail_as_invalid_data(string coding, byte[] body)
    {
        var result = ContentDecode.All(coding, body);

        Assert.Equal(ContentDecoderError.InvalidData, result.Error);
        Assert.Equal($"invalid {coding} data", result.FailureReason);
    }

    [Fact]
    public void A_gzip_body_whose_checksum_does_not_match_fails()
    {
        var body = Compress.Gzip(Body);
        body[^6] ^= 0x55;

        var result = ContentDecode.All("gzip", body);

        Assert.Equal(ContentDecoderError.InvalidData, result.Error);
        Assert.Equal(Body[..result.Bytes.Length], result.Bytes);
    }

    [Fact]
    public void After_failing_the_decoder_ignores_further_input()
    {
        var sink = new ByteRecorder();
        using var decoder = ContentDecoder.Create("gzip", sink);

        decoder.Push([0x00, 0x01, 0x02]);
        decoder.Push(Compress.Gzip(Body));
        decoder.Complete();

        Assert.Equal(ContentDecoderError.InvalidData, decoder.Error);
        Assert.Equal(0, sink.Calls);
    }

    [Theory]
    [MemberData(nameof(Compressed))]
    public void A_body_cut_short_at_any_offset_fails_as_truncated_after_delivering_a_prefix(string coding)
    {
        var body = Compress.Encode(coding, Body);

        for (int length = 1; length < body.Length; length++)
        {
            var result = ContentDecode.All(coding, body[..length]);

            Assert.True(result.Error == ContentDecoderError.Truncated, $"cut at {length}: {result.Error}");
            Assert.Equal($"{coding} data ends early", result.FailureReason);
            Assert.Equal(Body[..result.Bytes.Length], result.Bytes);
        }
    }

    [Fact]
    public void Raw_deflate_cut_short_fails_as_truncated()
    {
        var body = Compress.RawDeflate(Body);

        for (int length = 1; length < body.Length; length++)
        {
            Assert.Equal(ContentDecoderError.Truncated, ContentDecode.All("deflate", body[..length]).Error);
        }
    }

    [Fact]
    public void A_stacked_body_whose_outer_coding_is_cut_short_fails_naming_that_coding()
    {
        var body = Compress.Encode("gzip, br", Body);

        var result = ContentDecode.All("gzip, br", body[..^3]);

        Assert.Equal("br data ends early", result.FailureReason);
    }

    [Theory]
    [MemberData(nameof(Compressed))]
    public void A_decompression_bomb_stops_at_the_limit_without_failing(string coding)
    {
        const int limit = 256 * 1024;
        var bomb = Bombs.For(coding);
        var sink = new ByteRecorder();
        using var decoder = ContentDecoder.Create(coding, sink, limit);

        foreach (var chunk in bomb.Chunk(4096))
        {
            decoder.Push(chunk);
        }

        decoder.Complete();

        Assert.True(decoder.LimitReached);
        Assert.False(decoder.Failed);
        Assert.Equal(limit, decoder.DecodedBytes);
        Assert.Equal(limit, sink.Bytes.Length);
        Assert.All(sink.Bytes, b => Assert.Equal(0, b));
    }

    [Fact]
    public void The_default_limit_is_16_MiB()
    {
        var result = ContentDecode.All("gzip", Bombs.For("gzip"));

        Assert.True(result.LimitReached);
        Assert.Equal(16 * 1024 * 1024, result.DecodedBytes);
        Assert.Equal(ContentDecoder.DefaultMaxDecodedBytes, result.DecodedBytes);
    }

    [Fact]
    public void A_stacked_bomb_stops_at_the_limit_in_its_inner_coding()
    {
        // Decompressing the outer gzip gives a large gzip stream of empty members, which decode to nothing at all:
        // only the limit on each stage's output stops it.
        // A gzip member of nothing: header, an empty final fixed-Huffman block, CRC-32 and size of zero.
        byte[] emptyMember = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        var inner = Enumerable.Repeat(emptyMember, 200_000).SelectMany(m => m).ToArray();
        var body = Compress.Gzip(inner);

        var result = ContentDecode.All("gzip, gzip", body, maxDecodedBytes: 64 * 1024);

        Assert.True(result.LimitReached);
        Assert.Empty(result.Bytes);
        Assert.Equal(ContentDecoderError.None, result.Error);
    }

    [Fact]
    public void A_body_exactly_at_the_limit_is_whole()
    {
        var result = ContentDecode.All("gzip", Compress.Gzip(Body), maxDecodedBytes: Body.Length);

        Assert.False(result.LimitReached);
        Assert.Equal(Body, result.Bytes);
    }

    [Fact]
    public void The_limit_applies_to_identity_bodies_too()
    {
        var result = ContentDecode.Chunks(null, [Body[..10], Body[10..]], maxDecodedBytes: 15);

        Assert.True(result.LimitReached);
        Assert.Equal(Body[..15], result.Bytes);
    }

    /// <summary>32 MiB of zeros in each coding, made once: a few kilobytes that expand past any sane limit.</summary>
    private static class Bombs
    {
        private static readonly Lazy<byte[]> Zeros = new(() => new byte[32 * 1024 * 1024]);
        private static readonly Dictionary<string, Lazy<byte[]>> ByCoding = new()
        {
            ["gzip"] = new(() => Compress.Gzip(Zeros.Value, System.IO.Compression.CompressionLevel.Fastest)),
            ["deflate"] = new(() => Compress.ZLib(Zeros.Value, System.IO.Compression.CompressionLevel.Fastest)),
            ["br"] = new(() => Compress.Brotli(Zeros.Value, System.IO.Compression.CompressionLevel.Fastest)),
            ["zstd"] = new(() => Compress.Zstd(Zeros.Value, level: 1)),
        };

        public static byte[] For(string coding) => ByCoding[coding].Value;
    }
}
