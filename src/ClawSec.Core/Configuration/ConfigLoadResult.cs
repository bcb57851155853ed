namespace ClawSec.Core.Configuration;

/// <summary>What loading produced: the settings and the warnings to print on stderr (unknown keys, …).</summary>
public sealed record ConfigLoadResult(ClawSecConfig Config, IReadOnlyList<string> Warnings);
