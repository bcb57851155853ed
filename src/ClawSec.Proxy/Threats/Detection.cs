using ClawSec.Core.Detection;

namespace ClawSec.Proxy.Threats;

/// <summary>A finding together with where it was seen: what a connection publishes to the threat sink.</summary>
internal sealed record Detection(
    Finding Finding,
    Direction Direction,
    string Protocol,
    string Source,
    string Dest,
    string RequestId,
    DateTimeOffset Time,
    int? Pid = null,
    string? Process = null);
