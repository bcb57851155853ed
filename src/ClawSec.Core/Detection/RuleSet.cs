namespace ClawSec.Core.Detection;

/// <summary>The rules a scan runs (those of one direction, or the secret rules) with their keyword prefilter.</summary>
internal sealed class RuleSet
{
    public RuleSet(IEnumerable<Rule> rules)
    {
        Rules = [.. rules];
        Prefilter = new KeywordPrefilter(Rules);
        MaxMatchLength = Rules.Length == 0 ? 0 : Rules.Max(r => Math.Clamp(r.MaxMatchLength, 1, Rule.MaxMatchLengthLimit));
    }

    public Rule[] Rules { get; }

    public KeywordPrefilter Prefilter { get; }

    /// <summary>The longest reach of any of the rules, clamped to <see cref="Rule.MaxMatchLengthLimit"/>.</summary>
    public int MaxMatchLength { get; }
}
