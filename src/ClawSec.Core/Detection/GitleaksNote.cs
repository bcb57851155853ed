namespace ClawSec.Core.Detection;

/// <summary>A rule id (or a table name such as <c>[allowlist]</c>) and what happened to it.</summary>
public sealed record GitleaksNote(string Id, string Reason);
