using System.Runtime.InteropServices;

namespace ClawSec.Cli.State;

/// <summary>The few POSIX calls the lifecycle needs: signals, liveness, and a process's command line.</summary>
internal static partial class UnixProcesses
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    private const int Esrch = 3;

    /// <summary>True when a process with this PID exists (even if owned by another user).</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        if (Kill(pid, 0) == 0)
        {
            return !IsZombie(pid);
        }

        return Marshal.GetLastPInvokeError() != Esrch;
    }

    /// <summary>True when the process is a ClawSec monitor (its command line names clawsec), not a recycled PID.</summary>
    public static bool IsClawSec(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Split('\0').Take(3).Select(Path.GetFileName).Any(name => name is "clawsec" or "clawsec.dll");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No /proc (macOS) or no access: trust liveness alone.
            return !Directory.Exists("/proc/self") && IsAlive(pid);
        }
    }

    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
