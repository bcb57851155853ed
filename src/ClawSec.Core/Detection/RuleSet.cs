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

        // Trying each place is cheaper than a search when a match starts close to its keyword; the non-backtracking
        // engine has no \G, and a lazily built regex stays unbuilt until its keyword occurs.
        TryEachStart = [.. Rules.Select((r, i) => leads[i] <= MaxLeadTriedEach && r.Keywords.Count > 0 && !r.IsRegexLazy
            && !r.Regex.Options.HasFlag(RegexOptions.NonBacktracking))];

        // A search reads a rule's reach past a window anyway, so windows that close are searched as one; places
        // tried one by one gain nothing from merging.
        var gaps = Rules.Select((_, i) => TryEachStart[i] ? 1 : Reach[i]).ToArray();
        Prefilter = new KeywordPrefilter(Rules, leads, gaps);
    }

    /// <summary>The longest keyword lead for which the places a match may start are tried one by one.</summary>
    public const int MaxLeadTriedEach = 40;

    public Rule[] Rules { get; }

    /// <summary>Per rule, its <see cref="Rule.MaxMatchLength"/> clamped to what the scanners support.</summary>
    public int[] Reach { get; }

    public KeywordPrefilter Prefilter { get; }

    /// <summary>Per rule, whether each place a match may start is tried with <see cref="Rule.Anchored"/> instead of a search.</summary>
    public bool[] TryEachStart { get; }

    /// <summary>The longest reach of any of the rules.</summary>
    public int MaxMatchLength { get; }
}
