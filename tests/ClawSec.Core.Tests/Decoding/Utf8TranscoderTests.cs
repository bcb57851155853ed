using System.Buffers;
using System.Text;
using System.Text.Unicode;
using ClawSec.Core.Decoding;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Bytes biased towards UTF-8's edges (leads, continuations, never-valid bytes) and a destination size.</summary>
public sealed record EdgyBytes(byte[] Bytes, int DestinationLength)
{
    public override string ToString() => $"{Convert.ToHexString(Bytes)} into {DestinationLength} chars";
}

public static class EdgyByteArrays
{
    private static readonly byte[] Edges =
        [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF];

    public static Arbitrary<EdgyBytes> Arbitrary()
    {
        var piece = Gen.OneOf(
            Gen.Elements(Edges).Select(b => new[] { b }),
            Gen.Choose(0x80, 0xBF).Select(b => new[] { (byte)b }),
            Gen.Choose(0, 255).Select(b => new[] { (byte)b }),
            Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789", "é", "€", "😀", "日本語").Select(s => Encoding.UTF8.GetBytes(s)));
        return Gen.Choose(0, 120).SelectMany(n => Gen.ArrayOf(piece, n)).Select(p => p.SelectMany(b => b).ToArray())
            .SelectMany(bytes => Gen.Choose(2, 300).Select(d => new EdgyBytes(bytes, d)))
            .ToArbitrary();
    }
}

public sealed class Utf8TranscoderTests
{
    [Property(Arbitrary = [typeof(EdgyByteArrays)], MaxTest = 2000)]
    public void Decodes_any_bytes_as_the_runtime_does_with_replacement(EdgyBytes input)
    {
        foreach (var final in new[] { true, false })
        {
            Assert.Equal(Transcode(input, final, Runtime), Transcode(input, final, Utf8Transcoder.ToUtf16));
        }
    }

    [Fact]
    public void Every_lead_with_every_follower_decodes_as_the_runtime_does()
    {
        // Each sequence twice: at the start of a long input (decoded 16 bytes at a time) and near its end (one by one).
        var seconds = new byte[] { 0x00, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF };
        var laters = new byte[] { 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xE1 };
        var padding = Encoding.ASCII.GetBytes("padding-of-twenty-bytes");
        for (int lead = 0x80; lead <= 0xFF; lead++)
        {
            foreach (var a in seconds)
            {
                foreach (var b in laters)
                {
                    foreach (var c in laters)
                    {
                        byte[] sequence = [(byte)lead, a, b, c];
                        foreach (var bytes in new[] { [.. sequence, .. padding], padding.Concat(sequence).ToArray(), sequence })
                        {
                            var expected = Encoding.UTF8.GetString(bytes);
                            var chars = new char[bytes.Length * 2];
                            var status = Utf8Transcoder.ToUtf16(bytes, chars, out var read, out var written, isFinalBlock: true);
                            Assert.Equal(OperationStatus.Done, status);
                            Assert.Equal(bytes.Length, read);
                            Assert.Equal(expected, new string(chars, 0, written));
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Random_bytes_decode_as_the_runtime_does()
    {
        var bytes = new byte[1 << 20];
        new Random(20261126).NextBytes(bytes);
        Assert.Equal(Transcode(new EdgyBytes(bytes, 4096), final: true, Runtime), Transcode(new EdgyBytes(bytes, 4096), final: true, Utf8Transcoder.ToUtf16));
    }

    private delegate OperationStatus Transcoder(ReadOnlySpan<byte> source, Span<char> destination, out int read, out int written, bool isFinalBlock);

    private static OperationStatus Runtime(ReadOnlySpan<byte> source, Span<char> destination, out int read, out int written, bool isFinalBlock) =>
        Utf8.ToUtf16(source, destination, out read, out written, replaceInvalidSequences: true, isFinalBlock);

    /// <summary>Decodes into a destination of the given size, emptied after each call, until done or more data is needed.</summary>
    private static (string Text, int Read, OperationStatus Status) Transcode(EdgyBytes input, bool final, Transcoder transcoder)
    {
        var text = new StringBuilder();
        var destination = new char[input.DestinationLength];
        var source = input.Bytes.AsSpan();
        var read = 0;
        while (true)
        {
            var status = transcoder(source, destination, out var r, out var w, final);
            text.Append(destination, 0, w);
            source = source[r..];
            read += r;
            if (status != OperationStatus.DestinationTooSmall)
            {
                return (text.ToString(), read, status);
            }
        }
    }
}
