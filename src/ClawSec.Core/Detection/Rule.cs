using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>One detection rule: a named pattern with its threat type, severity and the directions it applies to.</summary>
public sealed class Rule
{
    public required string Name { get; init; }
    public required ThreatType ThreatType { get; init; }
    public Severity Severity { get; init; } = Severity.High;
    public Directions AppliesTo { get; init; } = Directions.Both;
    public required Regex Regex { get; init; }
    public string Description { get; init; } = "";

    /// <summary>Lower-case substrings; the regex runs only near one of them. Empty: always runs.</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>True when the matched value is a secret that must be redacted wherever it is written.</summary>
    public bool IsSecret { get; init; }
}
