namespace ClawSec.Core.Detection;

/// <summary>The rules a scan runs (those of one direction, or the secret rules) with their keyword prefilter.</summary>
internal sealed class RuleSet
{
    public RuleSet(IEnumerable<Rule> rules)
    {
        Rules = [.. rules];
        Reach = [.. Rules.Select(r => Math.Clamp(r.MaxMatchLength, 1, Rule.MaxMatchLengthLimit))];
        var leads = Rules.Select((r, i) => Math.Clamp(r.MaxKeywordOffset ?? Reach[i], 0, Reach[i])).ToArray();
        Prefilter = new KeywordPrefilter(Rules, leads, Reach);
        MaxMatchLength = Reach.Length == 0 ? 0 : Reach.Max();
    }

    public Rule[] Rules { get; }

    /// <summary>Per rule, its <see cref="Rule.MaxMatchLength"/> clamped to what the scanners support.</summary>
    public int[] Reach { get; }

    public KeywordPrefilter Prefilter { get; }

    /// <summary>The longest reach of any of the rules.</summary>
    public int MaxMatchLength { get; }
}
