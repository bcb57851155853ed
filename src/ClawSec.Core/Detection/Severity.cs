namespace ClawSec.Core.Detection;

/// <summary>How bad a finding is, so a leaked cloud key can be told from an SSH public key.</summary>
public enum Severity
{
    Info,
    Low,
    Medium,
    High,
    Critical,
}
