using System.Text.RegularExpressions;
using ClawSec.Core.Decoding;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>
/// <see cref="TextViews.NextBase64Run"/> reads eight characters a step; it must find the same runs as a plain search,
/// wherever a run starts or ends relative to those steps.
/// </summary>
public sealed class Base64RunTests
{
    private static readonly Regex Runs = new($"[A-Za-z0-9+/_-]{{{TextViews.MinBase64Length},}}", RegexOptions.CultureInvariant);

    /// <summary>Texts of base64 runs of every length around the minimum, between characters that end one.</summary>
    public static Arbitrary<string> Texts()
    {
        var run = Gen.Choose(0, 60).SelectMany(n => Gen.ArrayOf(Gen.Elements("aZ09+/-_Kq".ToCharArray()), n)).Select(c => new string(c));
        var stop = Gen.Elements(" ", "=", ".", "\n", "é", "\u00FF", "\u0141", "`", "{", "@", "[", ":", "\0", "\uFFFF", "\u0161");
        return Gen.Choose(0, 12)
            .SelectMany(n => Gen.ArrayOf(run.SelectMany(r => stop.Select(s => r + s)), n))
            .Select(string.Concat)
            .ToArbitrary();
    }

    [Property(Arbitrary = [typeof(Base64RunTests)], MaxTest = 500)]
    public void The_runs_found_are_those_a_plain_search_finds(string text)
    {
        foreach (var skip in new[] { 0, 1, 3, 7 })
        {
            var input = text.AsSpan(Math.Min(skip, text.Length));
            var expected = Runs.Matches(input.ToString()).Select(m => (m.Index, m.Length)).ToList();
            var found = new List<(int, int)>();
            var from = 0;
            while (TextViews.NextBase64Run(input, from) is var (start, length) && length > 0)
            {
                found.Add((start, length));
                from = start + length;
            }

            Assert.Equal(expected, found);
        }
    }

    [Theory]
    [InlineData(23, 0)]
    [InlineData(24, 1)]
    [InlineData(100, 1)]
    public void A_run_is_long_enough_from_the_minimum_on(int length, int runs)
    {
        var text = "x " + new string('Q', length) + " y";

        var (_, found) = TextViews.NextBase64Run(text, 0);

        Assert.Equal(runs, found == 0 ? 0 : 1);
        Assert.Equal(runs == 0 ? 0 : length, found);
    }
}
