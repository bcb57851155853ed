using System.IO.Compression;
using System.Text;
using ClawSec.Core.Decoding;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static ClawSec.Core.Tests.Decoding.WebSocketFrames;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>What the decoder yields must not depend on where the network split the byte stream.</summary>
public sealed class WebSocketFrameDecoderChunkingTests
{
    private static readonly byte[] TwoFrames = Concat(
        Frame(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(new string('a', 150) + " AKIAIOSFODNN7EXAMPLE"), maskKey: ClientKey),
        Frame(WebSocketOpcode.Binary, [1, 2, 3, 4, 5, 6, 7], maskKey: [0xA1, 0xB2, 0xC3, 0xD4]));

    private static readonly byte[] FragmentsWithPing = Concat(
        Frame(WebSocketOpcode.Text, "rm -rf "u8, fin: false, maskKey: ClientKey),
        Frame(WebSocketOpcode.Ping, "keepalive"u8, maskKey: [5, 6, 7, 8]),
        Frame(WebSocketOpcode.Continuation, "/ --no-preserve-root"u8, maskKey: ClientKey));

    public static TheoryData<string> Streams => ["two frames", "fragments with a ping"];

    private static byte[] StreamNamed(string name) => name == "two frames" ? TwoFrames : FragmentsWithPing;

    [Theory]
    [MemberData(nameof(Streams))]
    public void Splitting_the_stream_at_any_offset_gives_the_same_output(string name)
    {
        var wire = StreamNamed(name);
        var expected = Decode.All(wire).Transcript;
        Assert.Equal(2, expected.Count);

        for (int offset = 0; offset <= wire.Length; offset++)
        {
            Assert.Equal(expected, Decode.SplitAt(wire, offset).Transcript);
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Pushing_one_byte_at_a_time_gives_the_same_output(string name)
    {
        var wire = StreamNamed(name);

        Assert.Equal(Decode.All(wire).Transcript, Decode.ByteByByte(wire).Transcript);
    }

    [Fact]
    public void Compressed_messages_split_at_any_offset_give_the_same_output()
    {
        using var deflater = new PerMessageDeflater();
        var first = deflater.Compress(Encoding.UTF8.GetBytes("password=hunter2 password=hunter2"));
        var second = deflater.Compress(Encoding.UTF8.GetBytes("password=hunter2 again"));
        var wire = Concat(
            Frame(WebSocketOpcode.Text, first, maskKey: ClientKey, rsv1: true),
            Fragmented(WebSocketOpcode.Text, second, [second.Length / 2], ClientKey, rsv1: true));
        var options = new WebSocketDecoderOptions { PerMessageDeflate = true };
        var expected = Decode.All(wire, options).Transcript;
        Assert.Equal(2, expected.Count);

        for (int offset = 0; offset <= wire.Length; offset++)
        {
            Assert.Equal(expected, Decode.SplitAt(wire, offset, options).Transcript);
        }

        Assert.Equal(expected, Decode.ByteByByte(wire, options).Transcript);
    }

    [Property(MaxTest = 200)]
    public Property Random_messages_decode_to_the_originals_however_framed_and_chunked(NonNull<string>[] texts, int seed)
    {
        var random = new Random(seed);
        var (wire, expected) = Build(texts.Select(t => Payload(t.Get, random)), random, deflater: null);

        var actual = Decode.Chunks(RandomChunks(wire, random)).Transcript;

        return expected.SequenceEqual(actual).Label($"seed {seed}");
    }

    [Property(MaxTest = 100)]
    public Property Random_compressed_messages_decode_to_the_originals_however_framed_and_chunked(NonNull<string>[] texts, int seed, bool noContextTakeover)
    {
        var random = new Random(seed);
        var level = (CompressionLevel)random.Next(4);
        using var deflater = new PerMessageDeflater(level, noContextTakeover);
        var (wire, expected) = Build(texts.Select(t => Payload(t.Get, random)), random, deflater);
        var options = new WebSocketDecoderOptions { PerMessageDeflate = true, NoContextTakeover = noContextTakeover };

        var actual = Decode.Chunks(RandomChunks(wire, random), options).Transcript;

        return expected.SequenceEqual(actual).Label($"seed {seed}, level {level}");
    }

    /// <summary>The text, sometimes repeated so that 16- and 64-bit lengths come up too.</summary>
    private static byte[] Payload(string text, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        int repeat = random.Next(10) switch
        {
            0 => 300,
            1 => 5,
            _ => 1,
        };
        return [.. Enumerable.Repeat(bytes, repeat).SelectMany(b => b)];
    }

    /// <summary>
    /// Frames the messages with random opcodes, masking, fragmentation, length forms and pings between
    /// fragments, and returns the wire bytes with the transcript a decoder should produce.
    /// </summary>
    private static (byte[] Wire, List<string> Expected) Build(IEnumerable<byte[]> messages, Random random, PerMessageDeflater? deflater)
    {
        var wire = new List<byte>();
        var expected = new List<string>();
        foreach (var message in messages)
        {
            var opcode = random.Next(2) == 0 ? WebSocketOpcode.Text : WebSocketOpcode.Binary;
            bool compress = deflater is not null && random.Next(4) != 0;
            var payload = compress ? deflater!.Compress(message) : message;
            var key = random.Next(2) == 0 ? null : RandomBytes(random, 4);

            var cuts = Enumerable.Range(0, random.Next(4)).Select(_ => random.Next(payload.Length + 1)).Order().ToList();
            cuts.Add(payload.Length);
            int start = 0;
            for (int i = 0; i < cuts.Count; i++)
            {
                bool last = i == cuts.Count - 1;
                var fragment = payload.AsSpan(start, cuts[i] - start);
                var form = (LengthForm)random.Next(3);
                if (form == LengthForm.Sixteen && fragment.Length > ushort.MaxValue)
                {
                    form = LengthForm.SixtyFour;
                }

                wire.AddRange(Frame(
                    i == 0 ? opcode : WebSocketOpcode.Continuation,
                    fragment,
                    fin: last,
                    maskKey: key,
                    rsv1: compress && i == 0,
                    form: form));
                start = cuts[i];

                if (!last && random.Next(3) == 0)
                {
                    var ping = RandomBytes(random, random.Next(126));
                    wire.AddRange(Frame(WebSocketOpcode.Ping, ping, maskKey: key is null ? null : RandomBytes(random, 4)));
                    expected.Add($"Ping {Convert.ToHexString(ping)}");
                }
            }

            expected.Add($"{opcode} {Convert.ToHexString(message)}");
        }

        return ([.. wire], expected);
    }

    private static IEnumerable<byte[]> RandomChunks(byte[] wire, Random random)
    {
        int largest = random.Next(3) switch
        {
            0 => 1,
            1 => 20,
            _ => 5_000,
        };
        for (int offset = 0; offset < wire.Length;)
        {
            int size = Math.Min(random.Next(1, largest + 1), wire.Length - offset);
            yield return wire[offset..(offset + size)];
            offset += size;
        }
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
