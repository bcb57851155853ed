using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>One detection rule: a named pattern with its threat type, severity and the directions it applies to.</summary>
public sealed class Rule
{
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
    public required Regex Regex { get; init; }

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

    /// <summary>Values matching any of these are known not to be threats (a documented example key, a test fixture).</summary>
    public IReadOnlyList<Regex> Allowlist { get; init; } = [];

    /// <summary>
    /// For secret rules: drop values that are obviously placeholders (<c>EXAMPLE</c>, <c>REPLACE_ME</c>,
    /// <c>your_api_key</c>, a tail of one repeated character), which documentation and sample configs are full of.
    /// </summary>
    public bool IgnorePlaceholders { get; init; } = true;

    /// <summary>When set, values whose Shannon entropy (bits per character) is below it are dropped.</summary>
    public double? MinEntropy { get; init; }

    /// <summary>Whether a matched value is reported, after the allowlist, placeholder and entropy filters.</summary>
    internal bool Accepts(ReadOnlySpan<char> value)
    {
        if (IsSecret && IgnorePlaceholders && Placeholders.IsPlaceholder(value))
        {
            return false;
        }

        if (MinEntropy is { } min && Placeholders.Entropy(value) < min)
        {
            return false;
        }

        foreach (var allowed in Allowlist)
        {
            if (allowed.IsMatch(value))
            {
                return false;
            }
        }

        return true;
    }

    internal bool AppliesToDirection(Direction direction) =>
        (AppliesTo & (direction == Direction.Outbound ? Directions.Outbound : Directions.Inbound)) != 0;
}
