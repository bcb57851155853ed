using System.Buffers.Binary;
using System.Text;
using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>How a test frame writes its payload length.</summary>
public enum LengthForm
{
    Shortest,
    Sixteen,
    SixtyFour,
}

/// <summary>A small RFC 6455 frame writer, so tests can say exactly which bytes go on the wire.</summary>
internal static class WebSocketFrames
{
    public static readonly byte[] ClientKey = [0x37, 0xFA, 0x21, 0x3D];

    public static byte[] Frame(
        WebSocketOpcode opcode,
        ReadOnlySpan<byte> payload,
        bool fin = true,
        byte[]? maskKey = null,
        bool rsv1 = false,
        LengthForm form = LengthForm.Shortest)
    {
        var frame = new List<byte>
        {
            (byte)((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (byte)opcode),
        };
        byte maskBit = maskKey is null ? (byte)0 : (byte)0x80;

        if (form == LengthForm.Shortest)
        {
            form = payload.Length switch
            {
                < 126 => LengthForm.Shortest,
                <= ushort.MaxValue => LengthForm.Sixteen,
                _ => LengthForm.SixtyFour,
            };
        }

        Span<byte> length = stackalloc byte[8];
        switch (form)
        {
            case LengthForm.Sixteen:
                frame.Add((byte)(maskBit | 126));
                BinaryPrimitives.WriteUInt16BigEndian(length, checked((ushort)payload.Length));
                frame.AddRange(length[..2]);
                break;
            case LengthForm.SixtyFour:
                frame.Add((byte)(maskBit | 127));
                BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
                frame.AddRange(length);
                break;
            default:
                frame.Add((byte)(maskBit | payload.Length));
                break;
        }

        if (maskKey is null)
        {
            frame.AddRange(payload);
        }
        else
        {
            frame.AddRange(maskKey);
            for (int i = 0; i < payload.Length; i++)
            {
                frame.Add((byte)(payload[i] ^ maskKey[i % 4]));
            }
        }

        return [.. frame];
    }

    public static byte[] Text(string text, byte[]? maskKey = null) =>
        Frame(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(text), maskKey: maskKey);

    /// <summary>One message split into frames of the given sizes (the last frame takes the rest).</summary>
    public static byte[] Fragmented(WebSocketOpcode opcode, byte[] payload, int[] sizes, byte[]? maskKey = null, bool rsv1 = false)
    {
        var frames = new List<byte[]>();
        int offset = 0;
        for (int i = 0; i <= sizes.Length; i++)
        {
            bool last = i == sizes.Length;
            int size = last ? payload.Length - offset : sizes[i];
            frames.Add(Frame(
                i == 0 ? opcode : WebSocketOpcode.Continuation,
                payload.AsSpan(offset, size),
                fin: last,
                maskKey: maskKey,
                rsv1: rsv1 && i == 0));
            offset += size;
        }

        return Concat([.. frames]);
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
