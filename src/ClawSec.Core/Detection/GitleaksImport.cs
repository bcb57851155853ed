namespace ClawSec.Core.Detection;

/// <summary>
/// What a gitleaks configuration gave: the rules taken, the rules that could not be taken, and the parts of taken
/// rules that were left out (allowlists of file paths or commits, which traffic does not have).
/// </summary>
public sealed class GitleaksImport
{
    public required IReadOnlyList<Rule> Rules { get; init; }

    /// <summary>Rules not taken, each by its id with the reason.</summary>
    public required IReadOnlyList<GitleaksNote> Skipped { get; init; }

    /// <summary>Parts of the configuration not applied to the rules that were taken, with the reason.</summary>
    public required IReadOnlyList<GitleaksNote> Ignored { get; init; }
}
