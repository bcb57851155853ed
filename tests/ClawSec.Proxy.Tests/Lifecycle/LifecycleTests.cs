using System.Diagnostics;
using System.Globalization;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Lifecycle;

/// <summary>start / status / stop / start again, as a user runs them: real processes, real ports.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Start_stop_and_start_again_manage_the_port_and_the_pid_file()
    {
        var monitor = await MonitorProcess.StartAsync();
        var pidPath = Path.Combine(monitor.LogDir, "monitor.pid");
        try
        {
            Assert.True(FreePort.IsOpen(monitor.Port));
            Assert.Equal(monitor.Pid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidPath));

            var status = await monitor.CliAsync("status");
            Assert.Equal(0, status.ExitCode);
            Assert.StartsWith($"RUNNING (PID {monitor.Pid})", status.Stdout);
            Assert.Contains($"127.0.0.1:{monitor.Port}", status.Stdout);
            Assert.Contains("MITM ON", status.Stdout);

            var second = await monitor.CliAsync("start");
            Assert.NotEqual(0, second.ExitCode);
            Assert.Contains($"Already running (PID {monitor.Pid})", second.Stderr);
            Assert.False(monitor.HasExited);

            var stop = await monitor.CliAsync("stop");
            Assert.Equal(0, stop.ExitCode);
            Assert.Contains($"Stopped ClawSec (PID {monitor.Pid})", stop.Stdout);
            await monitor.WaitForExitAsync(TimeSpan.FromSeconds(5));
            Assert.False(FreePort.IsOpen(monitor.Port));
            Assert.False(File.Exists(pidPath));

            var stopped = await monitor.CliAsync("status");
            Assert.Equal(3, stopped.ExitCode);
            Assert.StartsWith("STOPPED", stopped.Stdout);
        }
        finally
        {
            await monitor.DisposeAsync();
        }

        await using var again = await MonitorProcess.StartAsync(logDir: monitor.LogDir, port: monitor.Port);
        Assert.True(FreePort.IsOpen(again.Port));
        Assert.Equal(again.Pid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidPath));
        Assert.Equal(0, await again.TerminateAsync());
        Assert.False(File.Exists(pidPath));
    }

    [Fact]
    public async Task A_stale_pid_file_does_not_block_a_start_and_is_replaced()
    {
        var logDir = MonitorProcess.NewLogDir();
        Directory.CreateDirectory(logDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var pidPath = Path.Combine(logDir, "monitor.pid");
        File.WriteAllText(pidPath, "99999999");

        await using var monitor = await MonitorProcess.StartAsync(logDir: logDir);

        Assert.Equal(monitor.Pid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidPath));
    }

    [Fact]
    public async Task Stop_leaves_alone_a_live_process_that_is_not_clawsec()
    {
        var logDir = MonitorProcess.NewLogDir();
        Directory.CreateDirectory(logDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var other = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            File.WriteAllText(Path.Combine(logDir, "monitor.pid"), other.Id.ToString(CultureInfo.InvariantCulture));
            var config = logDir + ".json";
            File.WriteAllText(config, $$"""{"log_dir": "{{logDir}}"}""");

            var stop = await MonitorProcess.Cli(config, "stop");

            Assert.Equal(0, stop.ExitCode);
            Assert.Contains("Not running", stop.Stdout);
            Assert.False(other.HasExited);
            Assert.False(File.Exists(Path.Combine(logDir, "monitor.pid")));
        }
        finally
        {
            other.Kill();
        }
    }

    [Fact]
    public async Task Stop_when_nothing_runs_says_so_and_exits_0()
    {
        var config = MonitorProcess.NewLogDir() + ".json";
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, $$"""{"log_dir": "{{config[..^5]}}"}""");

        var stop = await MonitorProcess.Cli(config, "stop");

        Assert.Equal(0, stop.ExitCode);
        Assert.Equal("Not running.", stop.Stdout.Trim());
    }

    [Fact]
    public async Task Sigterm_shuts_down_cleanly_and_removes_the_pid_file()
    {
        var monitor = await MonitorProcess.StartAsync();
        await using (monitor)
        {
            Assert.Equal(0, await monitor.TerminateAsync());
            Assert.False(File.Exists(Path.Combine(monitor.LogDir, "monitor.pid")));
            Assert.False(FreePort.IsOpen(monitor.Port));
        }
    }

    [Fact]
    public async Task The_ca_is_created_private_and_survives_a_restart_unchanged()
    {
        var logDir = MonitorProcess.NewLogDir();
        byte[] first;
        await using (var monitor = await MonitorProcess.StartAsync(logDir: logDir))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(logDir, "ca.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(logDir));
            first = File.ReadAllBytes(Path.Combine(logDir, "ca.crt"));
            Assert.Contains("NEW CA CERTIFICATE", monitor.Stderr);
            await monitor.TerminateAsync();
        }

        await using var restarted = await MonitorProcess.StartAsync(logDir: logDir);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(logDir, "ca.crt")));
        Assert.DoesNotContain("NEW CA CERTIFICATE", restarted.Stderr);
    }

    [Fact]
    public async Task A_log_dir_with_loose_permissions_is_tightened()
    {
        var logDir = MonitorProcess.NewLogDir();
        Directory.CreateDirectory(logDir);
        File.SetUnixFileMode(logDir, (UnixFileMode)0b111_101_101);

        await using var monitor = await MonitorProcess.StartAsync(logDir: logDir);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(logDir));
        Assert.Contains("tightened", monitor.Stderr);
    }

    [Fact]
    public async Task A_log_dir_that_is_a_symlink_is_refused()
    {
        var real = MonitorProcess.NewLogDir();
        Directory.CreateDirectory(real);
        var link = real + "-link";
        File.CreateSymbolicLink(link, real);
        var config = link + ".json";
        File.WriteAllText(config, $$"""{"log_dir": "{{link}}", "proxy_port": {{FreePort.Next()}}}""");

        var start = await MonitorProcess.Cli(config, "start");

        Assert.Equal(1, start.ExitCode);
        Assert.Contains("symbolic link", start.Stderr);
    }

    [Fact]
    public async Task A_log_dir_owned_by_another_user_is_refused()
    {
        Assert.True(Environment.UserName == "root" || OperatingSystem.IsLinux(), "needs to hand a directory to another user");
        var dir = MonitorProcess.NewLogDir();
        Directory.CreateDirectory(dir);
        var chown = await ProcessRunner.RunAsync("chown", ["nobody", dir]);
        Assert.True(chown.ExitCode == 0, "chown needs root: " + chown.Stderr);
        var config = dir + ".json";
        File.WriteAllText(config, $$"""{"log_dir": "{{dir}}", "proxy_port": {{FreePort.Next()}}}""");

        var start = await MonitorProcess.Cli(config, "start");

        Assert.Equal(1, start.ExitCode);
        Assert.Contains("owned by another user", start.Stderr);
    }
}
