using ClawSec.Core.Decoding;
using static ClawSec.Core.Tests.Decoding.WebSocketFrames;

namespace ClawSec.Core.Tests.Decoding;

public sealed class WebSocketFrameDecoderFailureTests
{
    private static readonly WebSocketDecoderOptions Negotiated = new() { PerMessageDeflate = true };

    public static TheoryData<string, byte[], WebSocketDecoderError> Violations => new()
    {
        { "reserved data opcode", Frame((WebSocketOpcode)0x3, "x"u8), WebSocketDecoderError.ReservedOpcode },
        { "reserved control opcode", Frame((WebSocketOpcode)0xB, "x"u8), WebSocketDecoderError.ReservedOpcode },
        { "RSV2", [0xA1, 0x01, (byte)'x'], WebSocketDecoderError.ReservedBitsSet },
        { "RSV3", [0x91, 0x01, (byte)'x'], WebSocketDecoderError.ReservedBitsSet },
        { "RSV1 without permessage-deflate", Frame(WebSocketOpcode.Text, "x"u8, rsv1: true), WebSocketDecoderError.ReservedBitsSet },
        { "control frame of 126 bytes", Frame(WebSocketOpcode.Ping, new byte[126]), WebSocketDecoderError.ControlFrameTooLong },
        { "short control frame in a long length form", Frame(WebSocketOpcode.Pong, "x"u8, form: LengthForm.Sixteen), WebSocketDecoderError.ControlFrameTooLong },
        { "fragmented control frame", Frame(WebSocketOpcode.Ping, "x"u8, fin: false), WebSocketDecoderError.FragmentedControlFrame },
        { "continuation without a start", Frame(WebSocketOpcode.Continuation, "x"u8), WebSocketDecoderError.UnexpectedContinuation },
        { "new message inside a fragmented one", Concat(Frame(WebSocketOpcode.Text, "a"u8, fin: false), Frame(WebSocketOpcode.Binary, "b"u8)), WebSocketDecoderError.ExpectedContinuation },
        { "length of 2^63", [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4], WebSocketDecoderError.FrameTooLong },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void Protocol_violation_fails_the_decoder_with_a_reason(string violation, byte[] wire, WebSocketDecoderError error)
    {
        var sink = new RecordingSink();
        using var decoder = new WebSocketFrameDecoder(sink);

        decoder.Push(wire);

        Assert.True(decoder.Failed, violation);
        Assert.Equal(error, decoder.Error);
        Assert.False(string.IsNullOrWhiteSpace(decoder.FailureReason));
        Assert.Empty(sink.ContractViolations);
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public void After_a_failure_further_input_is_ignored_without_exceptions(string violation, byte[] wire, WebSocketDecoderError error)
    {
        var sink = new RecordingSink();
        using var decoder = new WebSocketFrameDecoder(sink);
        decoder.Push(wire);
        var seen = sink.Transcript.ToList();

        decoder.Push(Text("valid text", ClientKey));
        decoder.Push(Frame(WebSocketOpcode.Ping, "valid ping"u8));
        decoder.Push([0xFF, 0xFF, 0xFF, 0xFF]);
        decoder.Push([]);

        Assert.Equal(seen, sink.Transcript);
        Assert.Equal(error, decoder.Error);
        Assert.True(decoder.Failed, violation);
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public void Violations_are_found_however_the_bytes_are_chunked(string violation, byte[] wire, WebSocketDecoderError error)
    {
        for (int offset = 0; offset <= wire.Length; offset++)
        {
            using var decoder = new WebSocketFrameDecoder(new RecordingSink());
            decoder.Push(wire.AsSpan(0, offset));
            decoder.Push(wire.AsSpan(offset));

            Assert.True(error == decoder.Error, $"{violation} split at {offset}: {decoder.Error}");
        }
    }

    [Fact]
    public void Compressed_bit_on_a_continuation_frame_is_a_violation_even_when_negotiated()
    {
        using var decoder = new WebSocketFrameDecoder(new RecordingSink(), Negotiated);

        decoder.Push(Concat(Frame(WebSocketOpcode.Text, "a"u8, fin: false), Frame(WebSocketOpcode.Continuation, "b"u8, rsv1: true)));

        Assert.Equal(WebSocketDecoderError.CompressedBitMisplaced, decoder.Error);
    }

    [Fact]
    public void Compressed_bit_on_a_control_frame_is_a_violation_even_when_negotiated()
    {
        using var decoder = new WebSocketFrameDecoder(new RecordingSink(), Negotiated);

        decoder.Push(Frame(WebSocketOpcode.Ping, "a"u8, rsv1: true));

        Assert.Equal(WebSocketDecoderError.CompressedBitMisplaced, decoder.Error);
    }

    [Fact]
    public void Message_in_progress_at_a_failure_is_ended_with_what_was_seen()
    {
        var sink = new RecordingSink();
        using var decoder = new WebSocketFrameDecoder(sink);

        decoder.Push(Frame(WebSocketOpcode.Text, "partial secret "u8, fin: false, maskKey: ClientKey));
        decoder.Push(Frame((WebSocketOpcode)0x7, "x"u8));

        Assert.Equal(["partial secret "], sink.Texts);
        Assert.Empty(sink.ContractViolations);
    }

    [Fact]
    public void Decoder_starts_without_a_failure()
    {
        using var decoder = new WebSocketFrameDecoder(new RecordingSink());

        Assert.False(decoder.Failed);
        Assert.Equal(WebSocketDecoderError.None, decoder.Error);
        Assert.Null(decoder.FailureReason);
    }

    [Fact]
    public void Largest_legal_frame_length_is_accepted_while_its_payload_streams()
    {
        var sink = new RecordingSink();
        using var decoder = new WebSocketFrameDecoder(sink);

        decoder.Push([0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]);

        Assert.False(decoder.Failed);
        Assert.Empty(sink.Messages);
    }

    [Fact]
    public void Input_after_dispose_is_ignored()
    {
        var sink = new RecordingSink();
        var decoder = new WebSocketFrameDecoder(sink, Negotiated);
        decoder.Dispose();

        decoder.Push(Text("after dispose"));

        Assert.Empty(sink.Transcript);
    }
}
