using System.Diagnostics;
using ClawSec.Cli.Configuration;
using ClawSec.Cli.State;
using ClawSec.Core.Configuration;

namespace ClawSec.Cli.Commands;

/// <summary><c>clawsec stop</c>: SIGTERM, wait for a clean exit, SIGKILL after a timeout. Exits 0 when nothing ran.</summary>
internal static class StopCommand
{
    private static readonly TimeSpan GracefulTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string? configPath, TextWriter stdout, TextWriter stderr)
    {
        ClawSecConfig config;
        try
        {
            config = ConfigSource.Load(configPath, stderr);
        }
        catch (ConfigException ex)
        {
            stderr.WriteLine("clawsec: config error: " + ex.Message);
            return ExitCodes.Usage;
        }

        var pidPath = PidFile.PathIn(config.LogDir);
        if (PidFile.Read(pidPath) is not int pid)
        {
            stdout.WriteLine("Not running.");
            return ExitCodes.Ok;
        }

        if (!UnixProcesses.IsAlive(pid) || !UnixProcesses.IsClawSec(pid))
        {
            RemoveStateFiles(config.LogDir, pidPath, pid);
            stdout.WriteLine($"Not running (removed a stale PID file naming {pid}).");
            return ExitCodes.Ok;
        }

        UnixProcesses.Signal(pid, UnixProcesses.SigTerm);
        if (await WaitAsync(() => !UnixProcesses.IsAlive(pid) && !File.Exists(pidPath), GracefulTimeout))
        {
            stdout.WriteLine($"Stopped ClawSec (PID {pid}).");
            return ExitCodes.Ok;
        }

        if (UnixProcesses.IsAlive(pid))
        {
            UnixProcesses.Signal(pid, UnixProcesses.SigKill);
            await WaitAsync(() => !UnixProcesses.IsAlive(pid), KillTimeout);
            RemoveStateFiles(config.LogDir, pidPath, pid);
            stdout.WriteLine($"ClawSec (PID {pid}) did not exit within {GracefulTimeout.TotalSeconds:0} s of SIGTERM; sent SIGKILL.");
            return UnixProcesses.IsAlive(pid) ? ExitCodes.Failed : ExitCodes.Ok;
        }

        RemoveStateFiles(config.LogDir, pidPath, pid);
        stdout.WriteLine($"Stopped ClawSec (PID {pid}); removed the PID file it left.");
        return ExitCodes.Ok;
    }

    private static void RemoveStateFiles(string logDir, string pidPath, int pid)
    {
        PidFile.RemoveIfOwn(pidPath, pid);
        StateFile.RemoveIfOwn(logDir, pid);
    }

    private static async Task<bool> WaitAsync(Func<bool> done, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > timeout)
            {
                return false;
            }

            // Another process's exit cannot be awaited here; a short poll is the portable way.
            await Task.Delay(25);
        }

        return true;
    }
}
