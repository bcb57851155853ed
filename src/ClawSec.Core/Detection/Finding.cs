namespace ClawSec.Core.Detection;

/// <summary>
/// A rule that matched. <see cref="Value"/> is the matched text and lives in memory only (dedup key);
/// <see cref="Snippet"/> is the context around it with every secret redacted, safe to write anywhere.
/// <see cref="Offset"/> is the character offset of the match from the start of the message.
/// </summary>
public sealed record Finding(Rule Rule, string Value, long Offset, string Snippet);
