using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>One detection rule: a named pattern with its threat type, severity and the directions it applies to.</summary>
public sealed class Rule
{
    /// <summary>
    /// <see cref="SecretGroup"/> value meaning "the first capture group that matched something, else the whole
    /// match", which is how gitleaks picks a rule's secret when the rule does not name a group.
    /// </summary>
    public const int FirstNonEmptyGroup = -1;

    private Regex? _regex;
    private Func<Regex>? _regexFactory;
    private Regex? _anchored;

    /// <summary>The upper bound of <see cref="MaxMatchLength"/>; the stream scanner keeps this much text at most.</summary>
    public const int MaxMatchLengthLimit = 64 * 1024;

    /// <summary>How far back a rule's lookbehinds may look; the stream scanner keeps this much before a match.</summary>
    public const int MaxLookbehind = 64;

    public required string Name { get; init; }
    public required ThreatType ThreatType { get; init; }
    public Severity Severity { get; init; } = Severity.High;
    public Directions AppliesTo { get; init; } = Directions.Both;

    /// <summary>
    /// The pattern. It should not use <c>^</c> or <c>\A</c> outside multiline mode: a streamed body is scanned in
    /// windows, and only multiline anchors mean the same in a window as in the whole message.
    /// </summary>
    public Regex Regex
    {
        get => _regex ?? LazyInitializer.EnsureInitialized(ref _regex, _regexFactory ?? throw new InvalidOperationException($"Rule {Name} has no regex."));
        init => _regex = value;
    }

    /// <summary>
    /// Builds <see cref="Regex"/> on first use instead. A non-backtracking regex takes milliseconds to build, which
    /// adds up to seconds for an imported pack of hundreds of rules whose keywords mostly never occur.
    /// </summary>
    internal Func<Regex>? RegexFactory
    {
        init => _regexFactory = value;
    }

    internal bool HasRegex => _regex is not null || _regexFactory is not null;

    /// <summary>True when <see cref="Regex"/> is built on first use rather than given.</summary>
    internal bool IsRegexLazy => _regexFactory is not null;

    /// <summary>
    /// <see cref="Regex"/> matching only where a search starts (<c>\G</c>), so that the few places next to a keyword
    /// can be tried one by one: a search that scans on from a keyword costs as much as scanning the whole text.
    /// Built-in rules give a source-generated one; for others it is compiled on first use.
    /// </summary>
    internal Regex Anchored
    {
        get => _anchored ?? LazyInitializer.EnsureInitialized(
            ref _anchored,
            () => new Regex(@"\G(?:" + Regex + ")", Regex.Options | RegexOptions.Compiled, Regex.MatchTimeout));
        init => _anchored = value;
    }

    public string Description { get; init; } = "";

    /// <summary>
    /// Lower-case substrings, compared ignoring case; the regex runs only when one of them occurs. Every match must
    /// contain one of them (not merely sit next to it), or matches will be missed. Empty: always runs.
    /// </summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>True when the matched value is a secret that must be redacted wherever it is written.</summary>
    public bool IsSecret { get; init; }

    /// <summary>
    /// An upper bound on the characters a match and its lookaheads reach from the match's start. A body is scanned
    /// while it streams, and a match is reported only once this much text follows its start, so that it cannot grow
    /// any more; that is what makes stream findings equal whole-text findings. A longer match may be found shortened.
    /// Clamped to <see cref="MaxMatchLengthLimit"/>.
    /// </summary>
    public int MaxMatchLength { get; init; } = 4096;

    /// <summary>
    /// How far from a match's start one of its keywords begins, at most; null: anywhere within
    /// <see cref="MaxMatchLength"/>. The regex is only tried at positions this far before each keyword occurrence,
    /// which keeps scanning cheap where keywords are common.
    /// </summary>
    public int? MaxKeywordOffset { get; init; }

    /// <summary>
    /// For keywords that always lie closer to the match's start than <see cref="MaxKeywordOffset"/>, their own bound:
    /// a rule whose branches start with different keywords is then tried at few places for each.
    /// </summary>
    internal IReadOnlyDictionary<string, int>? KeywordOffsets { get; init; }

    /// <summary>
    /// Keywords that count only where a word starts (not right after a letter, digit or underscore): every match
    /// holds them so, and in prose they are mostly inside other words ("async " for "nc ", "add " for "dd ").
    /// </summary>
    internal IReadOnlySet<string>? WordKeywords { get; init; }

    /// <summary>
    /// True when each place a match may start can be tried with <see cref="Anchored"/>: not on the non-backtracking
    /// engine, which has no \G, nor for a lazily built regex, which is left unbuilt until its keyword occurs.
    /// </summary>
    internal bool CanTryEachPlace => Keywords.Count > 0 && !IsRegexLazy && !Regex.Options.HasFlag(RegexOptions.NonBacktracking);

    /// <summary>
    /// The capture group holding the secret (filters and redaction apply to it; the finding is still the whole
    /// match): 0 for the whole match, a group number, or <see cref="FirstNonEmptyGroup"/>.
    /// </summary>
    public int SecretGroup { get; init; }

    /// <summary>Secrets matching any of these are known not to be threats (a documented example key, a test fixture).</summary>
    public IReadOnlyList<Regex> Allowlist { get; init; } = [];

    /// <summary>Further allowlists, each with its own target and stopwords (imported from gitleaks).</summary>
    public IReadOnlyList<RuleAllowlist> Allowlists { get; init; } = [];

    /// <summary>A check of the secret that a regex cannot express; null: none.</summary>
    internal ValueCheck? Check { get; init; }

    /// <summary>A quick test, before the regex is tried at a place, that a match may start there; null: none.</summary>
    internal PlaceCheck? MayStartAt { get; init; }

    /// <summary><see cref="MaxMatchLength"/> clamped to what the scanners support.</summary>
    internal int Reach => Math.Clamp(MaxMatchLength, 1, MaxMatchLengthLimit);

    /// <summary>True when some allowlist looks at the line around a match, which then has to be found.</summary>
    internal bool NeedsLine => Allowlists.Any(a => a.Target == AllowlistTarget.Line && a.Regexes.Count > 0);

    /// <summary>
    /// For secret rules: drop values that are obviously placeholders (<c>EXAMPLE</c>, <c>REPLACE_ME</c>,
    /// <c>your_api_key</c>, a tail of one repeated character), which documentation and sample configs are full of.
    /// </summary>
    public bool IgnorePlaceholders { get; init; } = true;

    /// <summary>When set, values whose Shannon entropy (bits per character) is below it are dropped.</summary>
    public double? MinEntropy { get; init; }

    /// <summary>Whether a matched value is reported, after the allowlist, placeholder and entropy filters.</summary>
    internal bool Accepts(ReadOnlySpan<char> value) => Accepts(value, value, value);

    /// <summary>
    /// Whether a match is reported, after the placeholder, entropy and allowlist filters and the check.
    /// <paramref name="secret"/> is the part of the match the filters judge; <paramref name="line"/> is needed only
    /// when <see cref="NeedsLine"/>.
    /// </summary>
    internal bool Accepts(ReadOnlySpan<char> secret, ReadOnlySpan<char> match, ReadOnlySpan<char> line)
    {
        if (IsSecret && IgnorePlaceholders && Placeholders.IsPlaceholder(secret))
        {
            return false;
        }

        if (MinEntropy is { } min && Placeholders.Entropy(secret) < min)
        {
            return false;
        }

        foreach (var allowed in Allowlist)
        {
            if (allowed.IsMatch(secret))
            {
                return false;
            }
        }

        foreach (var allowlist in Allowlists)
        {
            if (allowlist.Allows(secret, match, line))
            {
                return false;
            }
        }

        return Check is null || Check(secret);
    }

    internal bool AppliesToDirection(Direction direction) =>
        (AppliesTo & (direction == Direction.Outbound ? Directions.Outbound : Directions.Inbound)) != 0;
}
