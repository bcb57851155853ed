using ClawSec.Core.Detection;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClawSec.Core.Tests.Detection;

/// <summary>Keywords, a text made mostly of their characters so that they occur often, and where the walk starts.</summary>
public sealed record KeywordSearch(string[] Keywords, string Text, int From)
{
    public override string ToString() => $"[{string.Join(", ", Keywords.Select(k => $"«{k}»"))}] from {From} in «{Text}»";
}

public static class KeywordSearches
{
    // Upper and lower case, a space, punctuation, a non-ASCII letter, a surrogate, the Kelvin sign and the long s.
    private const string Alphabet = "abcAB -/(é\uDB40\u212A\u017Fks";

    public static Arbitrary<KeywordSearch> Arbitrary()
    {
        var character = Gen.Elements(Alphabet.ToCharArray());
        var keyword = Gen.Choose(1, 5).SelectMany(n => Gen.ArrayOf(character, n)).Select(c => new string(c));
        var keywords = Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(keyword, n));

        // Long enough, often, that the text is walked in several stretches at once.
        var text = Gen.Frequency((1, Gen.Choose(0, 40)), (2, Gen.Choose(1000, 5000)))
            .SelectMany(n => Gen.ArrayOf(character, n)).Select(c => new string(c));
        return Gen.Zip(keywords, text).SelectMany(kt => Gen.Choose(0, Math.Max(0, kt.Item2.Length))
            .Select(from => new KeywordSearch(kt.Item1, kt.Item2, Math.Min(from % 64 == 0 ? from : from / 8, kt.Item2.Length))))
            .ToArbitrary();
    }
}

public sealed class KeywordAutomatonTests
{
    [Property(Arbitrary = [typeof(KeywordSearches)], MaxTest = 300)]
    public void Finds_every_occurrence_exactly_once_as_a_plain_search_does(KeywordSearch search)
    {
        var keywords = search.Keywords.Distinct(StringComparer.Ordinal).ToArray();
        var automaton = new KeywordAutomaton(keywords);
        var hits = new List<(int Keyword, int Start, char Before)>();
        automaton.FindAll(search.Text, search.From, ref hits, static (int keyword, int start, char before, ref List<(int, int, char)> into) => into.Add((keyword, start, before)));

        var expected = new List<(int Keyword, int Start, char Before)>();
        for (var k = 0; k < keywords.Length; k++)
        {
            for (var at = search.From; at + keywords[k].Length <= search.Text.Length; at++)
            {
                if (Occurs(keywords[k], search.Text, at))
                {
                    expected.Add((k, at, at > 0 ? search.Text[at - 1] : '\0'));
                }
            }
        }

        Assert.Equal(expected.Order(), hits.Order());
        Assert.Equal(expected.Count > 0, automaton.Any(search.Text.AsSpan(search.From)));
    }

    [Property(Arbitrary = [typeof(KeywordSearches)], MaxTest = 100)]
    public void Reports_occurrences_in_order_of_start_give_or_take_a_keyword(KeywordSearch search)
    {
        var automaton = new KeywordAutomaton(search.Keywords.Distinct(StringComparer.Ordinal).ToArray());
        var starts = new List<int>();
        automaton.FindAll(search.Text, search.From, ref starts, static (int _, int start, char _, ref List<int> into) => into.Add(start));

        for (var i = 1; i < starts.Count; i++)
        {
            Assert.True(starts[i] >= starts[i - 1] - automaton.MaxKeywordLength, $"{starts[i]} after {starts[i - 1]}");
        }
    }

    [Fact]
    public void Ascii_letters_compare_ignoring_case_and_others_exactly()
    {
        var automaton = new KeywordAutomaton(["curl", "é", "sk-"]);

        Assert.True(automaton.Any("CuRl"));
        Assert.True(automaton.Any("\u212A"[0] + "x" + "S\u212A-"));
        Assert.False(automaton.Any("É"));
        Assert.False(automaton.Any("cur l"));

        // Found by the property above: a keyword holding the long s is the keyword with an s.
        Assert.True(new KeywordAutomaton(["a\u017F"]).Any("xAs"));
    }

    [Fact]
    public void Takes_keywords_of_hundreds_of_distinct_characters()
    {
        var keywords = Enumerable.Range(0, 400).Select(i => new string((char)(0x4E00 + i), 2)).ToArray();
        var automaton = new KeywordAutomaton(keywords);

        Assert.True(automaton.Any("x" + keywords[399] + "y"));
        Assert.False(automaton.Any(keywords[399][..1] + keywords[398][..1]));
    }

    // ASCII letters fold; the Kelvin sign is a k and the long s an s, as in a case-insensitive regex.
    private static bool Occurs(string keyword, string text, int at)
    {
        for (var i = 0; i < keyword.Length; i++)
        {
            if (Fold(keyword[i]) != Fold(text[at + i]))
            {
                return false;
            }
        }

        return true;
    }

    private static char Fold(char c) => c switch
    {
        >= 'A' and <= 'Z' => (char)(c + 32),
        '\u212A' => 'k',
        '\u017F' => 's',
        _ => c,
    };
}
