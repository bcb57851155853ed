namespace ClawSec.Core.Configuration;

/// <summary>What reading a value may need besides the value: the home directory for <c>~</c>, and where warnings go.</summary>
internal sealed record LoadContext(string? Home, List<string> Warnings);
