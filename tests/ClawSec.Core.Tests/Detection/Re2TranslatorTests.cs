using System.Text.RegularExpressions;
using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection;

public sealed class Re2TranslatorTests
{
    private static Regex Translated(string re2)
    {
        var (pattern, _, error) = Re2Translator.Translate(re2);
        Assert.True(pattern is not null, error);
        return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    [Fact]
    public void Named_groups_become_groups_numbered_in_their_re2_place()
    {
        var match = Translated(@"(?P<first>a)(b)(?<third>c)").Match("abc");

        Assert.Equal(["a", "b", "c"], match.Groups.Cast<Group>().Skip(1).Select(g => g.Value));
    }

    [Theory]
    [InlineData("[[:alnum:]]{3}", "aZ9", true)]
    [InlineData("[[:alnum:]]{3}", "a_9", false)]
    [InlineData("[[:alpha:]_-]+$", "ab_-c", true)]
    [InlineData("[[:alpha:]_-]+$", "ab1", false)]
    [InlineData("^[[:^digit:]]+$", "abc", true)]
    [InlineData("^[[:^digit:]]+$", "a1", false)]
    [InlineData(@"^[^[:space:]x]+$", "abc", true)]
    [InlineData(@"^[^[:space:]x]+$", "ax", false)]
    public void Posix_classes_mean_their_ascii_sets_also_inside_brackets(string re2, string text, bool matches)
    {
        Assert.Equal(matches, Translated(re2).IsMatch(text));
    }

    [Theory]
    [InlineData(@"^\d+$", "123", true)]
    [InlineData(@"^\d+$", "١٢٣", false)]
    [InlineData(@"^\w+$", "naïve", false)]
    [InlineData(@"^\w+$", "a_1", true)]
    [InlineData(@"^\s$", " ", true)]
    [InlineData(@"^\s$", "\u00a0", false)]
    [InlineData(@"^\S$", "\u00a0", true)]
    [InlineData(@"^[\S]$", "\u00a0", true)]
    [InlineData(@"^[\S-]$", "\v", true)]
    [InlineData(@"^[\S-]$", " ", false)]
    [InlineData(@"^[^\S]$", "\t", true)]
    [InlineData(@"^[\s\S-]{3}$", "a \n", true)]
    [InlineData(@"^[\w.-]+$", "a.b-c_d", true)]
    [InlineData(@"^[\W]$", "é", true)]
    public void Perl_classes_mean_the_ascii_sets_of_re2(string re2, string text, bool matches)
    {
        Assert.Equal(matches, Translated(re2).IsMatch(text));
    }

    [Fact]
    public void Dollar_is_the_end_of_the_text_unless_multiline()
    {
        Assert.DoesNotMatch(Translated("abc$"), "abc\n");
        Assert.Matches(Translated("abc$"), "xabc");
        Assert.Matches(Translated("(?m)abc$"), "abc\nx");
        Assert.Matches(Translated("(?m:abc$)"), "abc\nx");
        Assert.DoesNotMatch(Translated("(?m:x)abc$"), "abc\nx");
    }

    [Theory]
    [InlineData(@"\x{1F600}+", "😀😀", true)]
    [InlineData(@"\x41\x{42}", "AB", true)]
    [InlineData(@"\Q.*+\E", ".*+", true)]
    [InlineData(@"\Q.*+\E", "abc", false)]
    [InlineData(@"\pL\p{Nd}", "a1", true)]
    [InlineData(@"a{,3}", "a{,3}", true)]
    [InlineData(@"(?i)ghp_[a-z]{2}", "GHP_Ab", true)]
    [InlineData(@"(?-i:AB)", "ab", false)]
    [InlineData(@"[a[]+", "a[", true)]
    [InlineData(@"\bkey\b", "a key.", true)]
    public void Other_re2_spellings_are_translated(string re2, string text, bool matches)
    {
        Assert.Equal(matches, Translated(re2).IsMatch(text));
    }

    [Theory]
    [InlineData("(?U)a+", "ungreedy")]
    [InlineData(@"(a)\1", "backreference")]
    [InlineData("(?=a)b", "unsupported Perl syntax")]
    [InlineData("(?<!a)b", "unsupported Perl syntax")]
    [InlineData(@"\p{Greek}", "no .NET equivalent")]
    [InlineData(@"[\x{1F600}]", "no .NET equivalent")]
    [InlineData("a(b", "missing closing )")]
    [InlineData("[ab", "missing closing ]")]
    [InlineData("a)", "unmatched ')'")]
    [InlineData("[[:nope:]]", "invalid POSIX class")]
    [InlineData(@"[\S\W]", "two negated classes")]
    [InlineData(@"a\", "trailing backslash")]
    [InlineData(@"\i", "invalid escape")]
    [InlineData("a**", "nested repetition")]
    public void Syntax_without_a_dotnet_equivalent_is_refused_with_a_reason(string re2, string reason)
    {
        var (pattern, _, error) = Re2Translator.Translate(re2);

        Assert.Null(pattern);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ghp_[0-9a-zA-Z]{36}", 40L)]
    [InlineData(@"\b(AIza[\w-]{35})(?:[\x60'""\s;]|\\[nr]|$)", 41L)]
    [InlineData("(?:ab|c){2,3}", 6L)]
    [InlineData("a?b*", null)]
    [InlineData("x+", null)]
    [InlineData("(?i)(?:a|bc)d{0,5}", 7L)]
    [InlineData(@"\x{1F600}", 2L)]
    [InlineData("^$", 0L)]
    public void Longest_match_is_bounded_when_every_repeat_is(string re2, long? expected)
    {
        Assert.Equal(expected, Re2Translator.Translate(re2).MaxLength);
    }
}
