using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Hardening;

public sealed class ThreatLogIntegrityTests
{
    [Fact]
    public async Task Two_hundred_concurrent_detections_give_exactly_two_hundred_whole_lines()
    {
        await using var monitor = await MonitorProcess.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var client = monitor.CreateHttpClient();
            using var _ = await client.GetAsync($"http://burst-{i}.invalid/etc/passwd");
        }));

        await monitor.Threats.WaitForAsync(_ => monitor.Threats.ReadAll().Count(r => ThreatLogFile.Get(r, "dest").StartsWith("burst-", StringComparison.Ordinal)) >= 200);
        var records = monitor.Threats.ReadAll();
        Assert.Equal(200, records.Count);
        Assert.Equal(200, records.Select(r => ThreatLogFile.Get(r, "dest")).Distinct().Count());
    }

    [Fact]
    public async Task A_monitor_killed_mid_write_leaves_at_most_one_torn_line_which_threats_skips()
    {
        var monitor = await MonitorProcess.StartAsync(new { dedup_window_secs = 0 });
        var path = new string('x', 2000);

        // curl in a loop keeps detections coming while the monitor is killed.
        using var load = System.Diagnostics.Process.Start(ProcessRunner.CreateStartInfo("bash",
            ["-c", $"for i in $(seq 1 100000); do curl -s -o /dev/null -x {monitor.ProxyUrl} http://kill-$i.invalid/etc/passwd/{path} || exit 0; done"], null))!;
        try
        {
            await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == "kill-100.invalid:80", TimeSpan.FromSeconds(60));
            Signals.Send(monitor.Pid, 9);
            await monitor.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            load.Kill(entireProcessTree: true);
            await monitor.DisposeAsync();
        }

        var lines = File.ReadAllText(monitor.Threats.Path).Split('\n');
        var whole = lines[..^1];
        Assert.All(whole, line => System.Text.Json.JsonDocument.Parse(line).Dispose());
        var threats = await monitor.CliAsync("threats", "--limit", "5");
        Assert.Equal(0, threats.ExitCode);
        Assert.Equal(Math.Min(5, whole.Length), System.Text.Json.JsonDocument.Parse(threats.Stdout).RootElement.GetArrayLength());
    }
}
