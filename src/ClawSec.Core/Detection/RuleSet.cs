using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>The rules a scan runs (those of one direction, or the secret rules) with their keyword prefilter.</summary>
internal sealed class RuleSet
{
    public RuleSet(IEnumerable<Rule> rules)
    {
        Rules = [.. rules];
        Reach = [.. Rules.Select(r => Math.Clamp(r.MaxMatchLength, 1, Rule.MaxMatchLengthLimit))];
        var leads = Rules.Select((r, i) => Math.Clamp(r.MaxKeywordOffset ?? Reach[i], 0, Reach[i])).ToArray();
        MaxMatchLength = Reach.Length == 0 ? 0 : Reach.Max();

        // Trying each place is cheaper than a search when a match starts close to its keyword.
        CanTryEach = [.. Rules.Select(r => r.CanTryEachPlace)];
        Prefilter = new KeywordPrefilter(Rules, leads, Reach, CanTryEach);
    }

    /// <summary>The longest window whose places are tried one by one rather than searched.</summary>
    public const int MaxLeadTriedEach = 48;

    public Rule[] Rules { get; }

    /// <summary>Per rule, its <see cref="Rule.MaxMatchLength"/> clamped to what the scanners support.</summary>
    public int[] Reach { get; }

    public KeywordPrefilter Prefilter { get; }

    /// <summary>
    /// Per rule, whether the places a match may start can be tried one by one with <see cref="Rule.Anchored"/>; a
    /// window of at most <see cref="MaxLeadTriedEach"/> places is, a longer one is searched.
    /// </summary>
    public bool[] CanTryEach { get; }

    /// <summary>The longest reach of any of the rules.</summary>
    public int MaxMatchLength { get; }
}
