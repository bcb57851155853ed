namespace ClawSec.Cli.Commands;

/// <summary>What <c>clawsec</c> exits with; scripts rely on these.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Could not do it: already running, cannot listen, an unsafe log_dir.</summary>
    public const int Failed = 1;

    /// <summary>A bad command line or configuration.</summary>
    public const int Usage = 2;

    /// <summary><c>status</c>: the monitor is not running (as LSB init scripts do).</summary>
    public const int NotRunning = 3;
}
