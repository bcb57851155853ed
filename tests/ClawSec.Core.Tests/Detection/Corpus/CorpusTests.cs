using System.Globalization;
using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection.Corpus;

/// <summary>
/// The measure of the rule pack: on labelled agent traffic, the exact pattern fires for at least 95% of the
/// malicious cases and anything fires on at most 2% of the benign ones. The original's regexes are scored alongside.
/// </summary>
public sealed class CorpusTests
{
    private static readonly Scanner Scanner = new(RulePack.Default);

    private static readonly Lazy<IReadOnlyList<CorpusCase>> Malicious = new(() => [.. MaliciousCorpus.Cases()]);

    private static readonly Lazy<IReadOnlyList<CorpusCase>> Benign = new(() => [.. BenignCorpus.Cases()]);

    [Fact]
    public void Corpus_is_large_and_covers_every_rule()
    {
        Assert.True(Malicious.Value.Count >= 150, $"{Malicious.Value.Count} malicious cases");
        Assert.True(Benign.Value.Count >= 300, $"{Benign.Value.Count} benign cases");
        Assert.Equal(
            RulePack.Default.Rules.Select(r => r.Name).Order(),
            Malicious.Value.Select(c => c.Expected!).Distinct().Order());
        Assert.Equal(Malicious.Value.Count + Benign.Value.Count, Malicious.Value.Concat(Benign.Value).Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public void Exact_pattern_fires_on_95_percent_of_malicious_and_anything_on_at_most_2_percent_of_benign()
    {
        var output = TestContext.Current.TestOutputHelper!;
        var missed = Malicious.Value.Where(c => Scanner.ScanText(c.Text, c.Direction).All(f => f.Rule.Name != c.Expected)).ToList();
        var noisy = Benign.Value.Select(c => (Case: c, Fired: Scanner.ScanText(c.Text, c.Direction))).Where(x => x.Fired.Count > 0).ToList();
        var detection = 1 - ((double)missed.Count / Malicious.Value.Count);
        var falsePositives = (double)noisy.Count / Benign.Value.Count;

        output.WriteLine($"Rule pack: exact pattern on {Percent(detection)} of {Malicious.Value.Count} malicious, anything on {Percent(falsePositives)} of {Benign.Value.Count} benign.");
        foreach (var miss in missed)
        {
            output.WriteLine($"  missed {miss} — fired: [{string.Join(", ", Scanner.ScanText(miss.Text, miss.Direction).Select(f => f.Rule.Name))}]");
        }

        foreach (var (c, fired) in noisy)
        {
            output.WriteLine($"  false positive {c} — fired: [{string.Join(", ", fired.Select(f => $"{f.Rule.Name}: {f.Snippet}"))}]");
        }

        Assert.True(detection >= 0.95, $"exact pattern fired on {Percent(detection)} of malicious cases; misses:\n{string.Join("\n", missed)}");
        Assert.True(falsePositives <= 0.02, $"something fired on {Percent(falsePositives)} of benign cases:\n{string.Join("\n", noisy.Select(n => $"{n.Case} — {string.Join(", ", n.Fired.Select(f => f.Rule.Name))}"))}");
    }

    [Fact]
    public void Original_regexes_are_scored_on_the_same_corpus()
    {
        var output = TestContext.Current.TestOutputHelper!;
        var hits = Malicious.Value.Count(c => BaselineRules.Fired(c.Text).Contains(c.Expected!));
        var noisy = Benign.Value.Count(c => BaselineRules.Fired(c.Text).Count > 0);
        var original = Malicious.Value.Where(c => RulePack.Default.Rules.Take(12).Any(r => r.Name == c.Expected)).ToList();
        var originalHits = original.Count(c => BaselineRules.Fired(c.Text).Contains(c.Expected!));

        output.WriteLine(
            $"Original regexes: exact pattern on {Percent((double)hits / Malicious.Value.Count)} of {Malicious.Value.Count} malicious "
            + $"({Percent((double)originalHits / original.Count)} of the {original.Count} labelled with its own twelve names), "
            + $"anything on {Percent((double)noisy / Benign.Value.Count)} of {Benign.Value.Count} benign.");

        Assert.InRange(hits, 0, Malicious.Value.Count);
    }

    private static string Percent(double value) => value.ToString("P1", CultureInfo.InvariantCulture);
}
