using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection.Corpus;

/// <summary>
/// One labelled piece of agent traffic: what crosses the proxy (a body, a request head, an SSE stream as text),
/// which way, and the pattern that must fire on it (null: nothing must).
/// </summary>
public sealed record CorpusCase(string Id, Direction Direction, string Text, string? Expected)
{
    public override string ToString() => $"{Id} ({WireNames.Of(Direction)}): {Text[..Math.Min(160, Text.Length)]}";
}
