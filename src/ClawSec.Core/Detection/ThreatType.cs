namespace ClawSec.Core.Detection;

public enum ThreatType
{
    Exfil,
    Injection,
    SshConnect,
}
