namespace ClawSec.Core.Detection;

/// <summary>The spellings of the enums in the threat log and the configuration (PRODUCT.md).</summary>
public static class WireNames
{
    public static string Of(Direction direction) => direction == Direction.Outbound ? "outbound" : "inbound";

    public static string Of(ThreatType type) => type switch
    {
        ThreatType.Exfil => "EXFIL",
        ThreatType.Injection => "INJECTION",
        _ => "SSH_CONNECT",
    };

    public static string Of(Severity severity) => severity switch
    {
        Severity.Info => "info",
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        _ => "critical",
    };
}
