using System.Globalization;
using System.Runtime.InteropServices;
using ClawSec.Cli.Configuration;
using ClawSec.Cli.State;
using ClawSec.Core.Configuration;
using ClawSec.Proxy.Hosting;

namespace ClawSec.Cli.Commands;

/// <summary><c>clawsec start</c>: runs the monitor in the foreground until SIGTERM or SIGINT.</summary>
internal static class StartCommand
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    // The signal handlers of a running monitor, kept for the life of the process.
    private static PosixSignalRegistration[] s_signals = [];

    public static async Task<int> RunAsync(string? configPath, bool noMitm, TextWriter stdout, TextWriter stderr)
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

        if (noMitm)
        {
            config = config with { EnableMitm = false };
        }

        if (MonitorHost.Validate(config) is string problem)
        {
            stderr.WriteLine("clawsec: config error: " + problem);
            return ExitCodes.Usage;
        }

        try
        {
            foreach (var warning in LogDirectory.Prepare(config.LogDir))
            {
                stderr.WriteLine("clawsec: warning: " + warning);
            }
        }
        catch (StateException ex)
        {
            stderr.WriteLine("clawsec: " + ex.Message);
            return ExitCodes.Failed;
        }

        // Checked before any heavy work, so a refused second start answers at once.
        using var instance = InstanceLock.TryAcquire(config.LogDir, out var runningPid);
        if (instance is null)
        {
            stderr.WriteLine(runningPid is int pid ? $"Already running (PID {pid})." : "Already running (another start holds the lock).");
            return ExitCodes.Failed;
        }

        if (instance.ReplacedStale)
        {
            stderr.WriteLine("clawsec: replaced a stale PID file");
        }

        // Neither is disposed: a signal that comes again while the monitor drains, or as the process exits, is
        // ignored rather than ending it with 143 before the threat log is closed. The drain is bounded anyway.
        var shutdown = new CancellationTokenSource();
        s_signals = [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; shutdown.Cancel(); }),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; shutdown.Cancel(); }),
        ];

        MonitorHost host;
        try
        {
            host = await MonitorHost.StartAsync(config, stderr, shutdown.Token);
        }
        catch (MonitorStartException ex)
        {
            stderr.WriteLine("clawsec: " + ex.Message);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Ok;
        }

        StateFile.Write(config.LogDir, new MonitorState
        {
            Pid = Environment.ProcessId,
            Listen = host.ListenAddresses,
            Mitm = config.EnableMitm,
            StartedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            Version = Program.Version,
        });
        var where = host.ListenAddresses.Count > 0 ? "on " + string.Join(", ", host.ListenAddresses) : "without the HTTP proxy (enable_http_proxy: false)";
        stdout.WriteLine($"ClawSec running (PID {Environment.ProcessId}) {where}, MITM {(config.EnableMitm ? "ON" : "OFF")}");
        stdout.Flush();

        try
        {
            await Task.Delay(Timeout.Infinite, shutdown.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM or SIGINT.
        }

        await host.StopAsync(ShutdownGrace);
        StateFile.RemoveIfOwn(config.LogDir, Environment.ProcessId);
        return ExitCodes.Ok;
    }
}
