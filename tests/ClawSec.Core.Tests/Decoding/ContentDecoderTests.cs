using System.Text;
using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

public sealed class ContentDecoderTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"model":"claude","messages":[{"role":"user","content":"deploy with key sk-ant-api03-""" + new string('x', 40)
        + "\"}]," + string.Concat(Enumerable.Range(0, 30).Select(i => $"\"pad{i}\":\"{i * 7919}\",")) + "\"end\":true}");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("identity")]
    [InlineData("gzip")]
    [InlineData("x-gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    [InlineData("zstd")]
    [InlineData("GZIP")]
    [InlineData(" br ")]
    public void Each_content_coding_decodes_to_the_original_body(string? coding)
    {
        var body = Compress.Encode(coding ?? "", Body);

        var result = ContentDecode.All(coding, body);

        Assert.Equal(ContentDecoderError.None, result.Error);
        Assert.Null(result.FailureReason);
        Assert.Equal(Body, result.Bytes);
    }

    [Fact]
    public void Deflate_accepts_raw_deflate_as_well_as_the_zlib_wrapped_form()
    {
        var zlib = Compress.ZLib(Body);
        var raw = Compress.RawDeflate(Body);
        Assert.NotEqual(zlib[..2], raw[..2]);

        Assert.Equal(Body, ContentDecode.All("deflate", zlib).Bytes);
        Assert.Equal(Body, ContentDecode.All("deflate", raw).Bytes);
    }

    [Fact]
    public void Zlib_and_raw_deflate_are_told_apart_when_the_first_byte_arrives_alone()
    {
        foreach (var body in new[] { Compress.ZLib(Body), Compress.RawDeflate(Body) })
        {
            var result = ContentDecode.Chunks("deflate", [body[..1], body[1..2], body[2..]]);

            Assert.Equal(ContentDecoderError.None, result.Error);
            Assert.Equal(Body, result.Bytes);
        }
    }

    [Theory]
    [InlineData("gzip, br")]
    [InlineData("deflate, zstd, gzip")]
    [InlineData("br,identity,gzip")]
    [InlineData("gzip, gzip")]
    public void Stacked_codings_are_undone_in_reverse_order(string codings)
    {
        var body = Compress.Encode(codings, Body);

        var result = ContentDecode.All(codings, body);

        Assert.Equal(ContentDecoderError.None, result.Error);
        Assert.Equal(Body, result.Bytes);
    }

    [Fact]
    public void Codings_are_listed_in_the_order_the_sender_applied_them()
    {
        using var decoder = ContentDecoder.Create("GZIP, identity, x-gzip,  br", new ByteRecorder());

        Assert.Equal(["gzip", "gzip", "br"], decoder.Codings);
        Assert.True(decoder.CanDecode);
    }

    [Theory]
    [InlineData("compress", "compress")]
    [InlineData("gzip, snappy", "snappy")]
    [InlineData("UTF-8", "utf-8")]
    public void An_unknown_coding_gives_a_decoder_that_says_it_cannot_decode(string codings, string unknown)
    {
        var sink = new ByteRecorder();
        using var decoder = ContentDecoder.Create(codings, sink);

        decoder.Push(Body);
        decoder.Complete();

        Assert.False(decoder.CanDecode);
        Assert.True(decoder.Failed);
        Assert.Equal(ContentDecoderError.UnsupportedEncoding, decoder.Error);
        Assert.Equal($"cannot decode content encoding '{unknown}'", decoder.FailureReason);
        Assert.Equal(0, sink.Calls);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    [InlineData("zstd")]
    public void An_empty_body_decodes_to_nothing_without_failing(string coding)
    {
        var result = ContentDecode.All(coding, []);

        Assert.Equal(ContentDecoderError.None, result.Error);
        Assert.Empty(result.Bytes);
    }

    [Fact]
    public void Concatenated_gzip_members_and_zstd_frames_all_decode()
    {
        var second = "second part"u8.ToArray();

        Assert.Equal([.. Body, .. second], ContentDecode.All("gzip", [.. Compress.Gzip(Body), .. Compress.Gzip(second)]).Bytes);
        Assert.Equal([.. Body, .. second], ContentDecode.All("zstd", [.. Compress.Zstd(Body), .. Compress.Zstd(second)]).Bytes);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void Data_after_the_end_of_the_stream_is_ignored_as_clients_do(string coding)
    {
        var body = Compress.Encode(coding, Body);

        var result = ContentDecode.Chunks(coding, [body, "trailing junk"u8.ToArray(), new byte[100]]);

        Assert.Equal(ContentDecoderError.None, result.Error);
        Assert.Equal(Body, result.Bytes);
    }

    [Fact]
    public void A_zstd_frame_with_a_window_above_the_8_MiB_of_RFC_9659_is_refused()
    {
        // A frame header without content size, then one raw block holding "a". The window descriptor's exponent
        // gives a window of 2^(10 + exponent) bytes.
        static byte[] Frame(byte exponent) => [0x28, 0xB5, 0x2F, 0xFD, 0x00, (byte)(exponent << 3), 0x09, 0x00, 0x00, (byte)'a'];

        Assert.Equal("a"u8.ToArray(), ContentDecode.All("zstd", Frame(13)).Bytes);

        var tooLarge = ContentDecode.All("zstd", Frame(14));
        Assert.Equal(ContentDecoderError.InvalidData, tooLarge.Error);
        Assert.Equal("invalid zstd data", tooLarge.FailureReason);
    }
}
