using System.Text;
using ClawSec.Core.Decoding;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Bytes (valid UTF-8, cut and invalid sequences, random bytes) and where they are cut into pushes.</summary>
public sealed record CutBytes(byte[] Bytes, int[] Cuts)
{
    public override string ToString() => $"{Convert.ToHexString(Bytes)} cut at [{string.Join(",", Cuts)}]";
}

public static class CutByteArrays
{
    public static Arbitrary<CutBytes> Arbitrary()
    {
        var piece = Gen.OneOf(
            Gen.Elements("a", "é", "€", "😀", "\U000E0041", "x y").Select(s => Encoding.UTF8.GetBytes(s)),
            Gen.Elements<byte>(0xC3, 0xE2, 0x82, 0xF0, 0x9F, 0x98, 0x80, 0xFF, 0xC0, 0xED, 0xA0, 0xF4, 0x90).Select(b => new[] { b }),
            Gen.Choose(0, 255).Select(b => new[] { (byte)b }));
        return Gen.Choose(0, 60).SelectMany(n => Gen.ArrayOf(piece, n)).Select(p => p.SelectMany(b => b).ToArray())
            .SelectMany(bytes => Gen.ArrayOf(Gen.Choose(0, bytes.Length)).Select(c => new CutBytes(bytes, [.. c.Distinct().Order()])))
            .ToArbitrary();
    }
}

public sealed class CharsetDecoderTests
{
    [Property(Arbitrary = [typeof(CutByteArrays)], MaxTest = 500)]
    public void Utf8_pushed_in_any_pieces_decodes_as_the_whole_does(CutBytes input)
    {
        var recorder = new TextRecorder();
        var decoder = new CharsetDecoder(Encoding.UTF8, recorder);
        var start = 0;
        foreach (var cut in input.Cuts.Append(input.Bytes.Length))
        {
            decoder.OnBytes(input.Bytes.AsSpan(start, cut - start));
            start = cut;
        }

        decoder.Complete();

        Assert.Equal(Encoding.UTF8.GetString(input.Bytes), recorder.Text);
        Assert.Empty(recorder.ContractViolations);
    }

    [Fact]
    public void Other_encodings_still_decode_through_their_decoder()
    {
        var recorder = new TextRecorder();
        var decoder = new CharsetDecoder(Encoding.Latin1, recorder);
        decoder.OnBytes([0x63, 0x61, 0x66, 0xE9]);
        decoder.Complete();

        Assert.Equal("café", recorder.Text);
    }
}
