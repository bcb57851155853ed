using System.Text;
using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection;

/// <summary>
/// Imported rules are tried near their keywords only as far as their pattern's shape allows (<see cref="PatternShape"/>),
/// and one of unbounded length that may end at the end of the text is searched only so far past its start. Neither
/// may lose a finding: each imported rule scans keyword-and-value lines in many shapes exactly as the same rule with
/// no lead and the longest reach does, and a secret longer than the search is still found and redacted whole.
/// </summary>
public sealed class ImportedRuleReachTests
{
    private static readonly Lazy<IReadOnlyList<Rule>> Imported = new(() => GitleaksImporter.Load(SharedRules.Gitleaks).Rules);

    [Fact]
    public void Each_imported_rule_finds_what_it_finds_with_no_lead_and_the_longest_reach()
    {
        var output = TestContext.Current.TestOutputHelper!;
        var failures = new List<string>();
        var rulesWithFindings = 0;
        var derived = 0;
        foreach (var rule in Imported.Value)
        {
            var cautious = Cautious(rule);
            var text = Lines(rule.Keywords);
            var found = new Scanner(new RulePack([rule])).ScanText(text, Direction.Outbound);
            var expected = new Scanner(new RulePack([cautious])).ScanText(text, Direction.Outbound);
            derived += rule.MaxKeywordOffset is { } lead && lead < (cautious.MaxKeywordOffset ?? cautious.MaxMatchLength) || rule.MaxMatchLength < cautious.MaxMatchLength ? 1 : 0;
            rulesWithFindings += expected.Count > 0 ? 1 : 0;

            // A match cut short by a shorter reach starts at the same place; others are the same findings.
            var got = found.Select(f => (f.Offset, Value: f.Value.Length < rule.MaxMatchLength - GitleaksImporter.TruncationMargin ? f.Value : "")).ToList();
            var want = expected.Select(f => (f.Offset, Value: f.Value.Length < rule.MaxMatchLength - GitleaksImporter.TruncationMargin ? f.Value : "")).ToList();
            if (!got.SequenceEqual(want))
            {
                failures.Add($"{rule.Name} (lead {rule.MaxKeywordOffset}, reach {rule.MaxMatchLength}): {found.Count} findings, {expected.Count} expected; first missing at {want.Except(got).FirstOrDefault().Offset}");
            }
        }

        output.WriteLine($"{Imported.Value.Count} rules, {derived} with a derived lead or reach, {rulesWithFindings} with findings in their lines");
        Assert.Empty(failures);
        Assert.True(rulesWithFindings >= 100, $"only {rulesWithFindings} rules found anything: the lines test too little");
        Assert.True(derived >= 150, $"only {derived} rules have a derived lead or reach");
    }

    [Theory]
    [InlineData(20)]
    [InlineData(200)]
    [InlineData(300)]
    [InlineData(1000)]
    [InlineData(5000)]
    public void A_generic_secret_longer_than_the_search_is_found_and_redacted_to_its_end(int length)
    {
        var rule = Imported.Value.Single(r => r.Name == "gitleaks:generic-api-key");
        var scanner = new Scanner(new RulePack(Imported.Value));
        var secret = Fakes.Chars(Fakes.Lower + Fakes.Digits + "+/", length, seed: 4100 + length);
        var text = $"{Fakes.Filler(3000, 4101)}\nconfig: api_key = {secret}\n{Fakes.Filler(3000, 4102)}";
        var at = text.IndexOf("api_key", StringComparison.Ordinal);

        var finding = Assert.Single(scanner.ScanText(text, Direction.Outbound), f => f.Rule == rule);
        Assert.Equal(at, finding.Offset);
        Assert.Equal(StreamFindings(scanner, text), scanner.ScanText(text, Direction.Outbound));

        // Nothing of the secret past its kept prefix reaches a snippet or a log line.
        var pieces = Enumerable.Range(0, length - 8).Where(i => i >= Redactor.KeptPrefixLength(secret) && i % 7 == 0).Select(i => secret.Substring(i, 8));
        var logged = scanner.RedactForLog(text);
        Assert.All(pieces, piece =>
        {
            Assert.DoesNotContain(piece, finding.Snippet, StringComparison.Ordinal);
            Assert.DoesNotContain(piece, logged, StringComparison.Ordinal);
        });
    }

    private static List<Finding> StreamFindings(Scanner scanner, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var stream = scanner.CreateStream(Direction.Outbound, long.MaxValue);
        var found = new List<Finding>();
        for (var i = 0; i < bytes.Length; i += 333)
        {
            stream.Append(bytes.AsSpan(i, Math.Min(333, bytes.Length - i)), found);
        }

        stream.Complete(found);
        return found;
    }

    /// <summary>
    /// The rule as it would be without its derived figures: searched as far as its longest match (or the longest
    /// reach when it has no bound), tried anywhere a match could reach its keyword.
    /// </summary>
    private static Rule Cautious(Rule rule)
    {
        var longest = PatternShape.Parse(rule.Regex.ToString())!.MaxMatchLength is { } max && max <= GitleaksImporter.MaxReach ? (int)max : GitleaksImporter.MaxReach;
        return Cautious(rule, longest);
    }

    private static Rule Cautious(Rule rule, int reach) => new()
    {
        Name = rule.Name,
        ThreatType = rule.ThreatType,
        Severity = rule.Severity,
        AppliesTo = rule.AppliesTo,
        Regex = rule.Regex,
        Keywords = rule.Keywords,
        IsSecret = rule.IsSecret,
        SecretGroup = rule.SecretGroup,
        MinEntropy = rule.MinEntropy,
        Allowlists = rule.Allowlists,
        MaxMatchLength = Math.Max(1, reach),
        MaxKeywordOffset = reach,
    };

    /// <summary>Keyword-and-value lines in the shapes code, configs and requests write them, with fake values of many formats and lengths.</summary>
    private static string Lines(IReadOnlyList<string> keywords)
    {
        string[] alphabets = [Fakes.Lower + Fakes.Digits, Fakes.Alnum, Fakes.Hex, Fakes.KeyChars, Fakes.Base64];
        int[] lengths = [10, 16, 20, 24, 32, 36, 40, 43, 48, 64, 80];
        var text = new StringBuilder();
        var seed = 4000;
        foreach (var keyword in keywords)
        {
            foreach (var alphabet in alphabets)
            {
                foreach (var length in lengths)
                {
                    var value = Fakes.Chars(alphabet, length, seed++);
                    var upper = keyword.ToUpperInvariant();
                    text.Append(keyword).Append('=').Append(value).Append('\n')
                        .Append("{\"").Append(keyword).Append("\": \"").Append(value).Append("\"}\n")
                        .Append("export MY_").Append(upper).Append("_TOKEN=\"").Append(value).Append("\"\n")
                        .Append("  ").Append(keyword).Append("_secret := ").Append(value).Append(";\n")
                        .Append("use ").Append(keyword).Append(value).Append(" here\n")
                        .Append(keyword).Append('-').Append(value).Append(' ').Append(keyword).Append('_').Append(value).Append('\n')
                        .Append("Authorization: Bearer ").Append(keyword).Append(value).Append('\n')
                        .Append(Apart).Append(Identifier(length % 64)).Append(keyword).Append(" = ").Append(value).Append(Apart);
                }
            }
        }

        return text.ToString();
    }

    /// <summary>Space between lines, so that each is searched on its own and not in a window its neighbours opened.</summary>
    private static readonly string Apart = "\n" + new string(' ', 320) + "\n";

    /// <summary>A long name before the keyword (<c>deploy_pipeline_stage_…_</c>): a match may start that far before it.</summary>
    private static string Identifier(int length) => string.Concat(Enumerable.Repeat("stage.one-", 7))[..length];
}
