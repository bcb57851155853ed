namespace ClawSec.Core.Detection;

/// <summary>Decides whether a matched secret is real, beyond what a regex can say (a JWT's header decodes to JSON).</summary>
internal delegate bool ValueCheck(ReadOnlySpan<char> secret);
