using System.Diagnostics;
using System.Text.Json;
using ClawSec.Proxy.Tests.Detection;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.ThreatLog;

/// <summary>Dedup, a log deleted under the running monitor, and the threats command.</summary>
public sealed class ThreatLogTests
{
    [Fact]
    public async Task The_same_threat_is_recorded_once_within_the_window_and_again_after_it()
    {
        await using var monitor = await MonitorProcess.StartAsync(new { dedup_window_secs = 1 });
        using var client = monitor.CreateHttpClient();
        var dest = "dedup.invalid:80";
        bool IsPasswd(JsonElement r) => ThreatLogFile.Get(r, "dest") == dest && ThreatLogFile.Get(r, "snippet").Contains("/etc/passwd");

        // A connection made first, and the two repeats sent at once, keep both well inside the window.
        using (await client.GetAsync("http://dedup.invalid/warm-up"))
        {
        }

        var first = Stopwatch.StartNew();
        await Task.WhenAll(
            Task.Run(async () => { using var _ = await client.GetAsync("http://dedup.invalid/a?f=/etc/passwd"); }),
            Task.Run(async () => { using var _ = await client.GetAsync("http://dedup.invalid/b?f=/etc/passwd"); }));

        Assert.True(first.Elapsed < TimeSpan.FromSeconds(1), "both requests must fall within the window for this test to mean anything");
        using (await client.GetAsync("http://dedup.invalid/c?f=/etc/shadow"))
        {
        }

        await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == dest && ThreatLogFile.Get(r, "snippet").Contains("/etc/shadow"));
        Assert.Single(monitor.Threats.ReadAll(), IsPasswd);
        Assert.Equal(2, monitor.Threats.ReadAll().Count(r => ThreatLogFile.Get(r, "dest") == dest));

        // The window is what is under test here: let it pass.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        using (await client.GetAsync("http://dedup.invalid/d?f=/etc/passwd"))
        {
        }

        await monitor.Threats.WaitForAsync(r => IsPasswd(r) && ThreatLogFile.Get(r, "snippet").Contains("/d?"));
        Assert.Equal(2, monitor.Threats.ReadAll().Count(IsPasswd));
    }

    [Fact]
    public async Task A_deleted_threat_log_is_recreated_by_the_next_detection_within_a_quarter_second()
    {
        await using var monitor = await MonitorProcess.StartAsync();
        using var client = monitor.CreateHttpClient();
        using (await client.GetAsync("http://first.invalid/etc/passwd"))
        {
        }

        await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == "first.invalid:80");
        File.Delete(monitor.Threats.Path);

        using (await client.GetAsync("http://second.invalid/etc/shadow"))
        {
        }

        var record = await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == "second.invalid:80", TimeSpan.FromMilliseconds(250));
        Assert.Equal("unix_sensitive", ThreatLogFile.Get(record, "pattern"));
        Assert.Single(monitor.Threats.ReadAll());
    }

    [Fact]
    public async Task Threats_prints_the_newest_first_as_a_json_array_and_respects_the_limit()
    {
        await using var monitor = await MonitorProcess.StartAsync();
        var empty = await monitor.CliAsync("threats");
        Assert.Equal(0, empty.ExitCode);
        Assert.Equal("[]", empty.Stdout.Trim());

        using var client = monitor.CreateHttpClient();
        foreach (var n in new[] { 1, 2, 3 })
        {
            using (await client.GetAsync($"http://host{n}.invalid/etc/passwd"))
            {
            }

            await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == $"host{n}.invalid:80");
        }

        var two = await monitor.CliAsync("threats", "--limit", "2");
        Assert.Equal(0, two.ExitCode);
        var array = JsonDocument.Parse(two.Stdout).RootElement;
        Assert.Equal(["host3.invalid:80", "host2.invalid:80"], array.EnumerateArray().Select(r => ThreatLogFile.Get(r, "dest")));

        var all = JsonDocument.Parse((await monitor.CliAsync("threats")).Stdout).RootElement;
        Assert.Equal(3, all.GetArrayLength());
        foreach (var record in all.EnumerateArray())
        {
            foreach (var key in new[] { "direction", "protocol", "threat_type", "pattern", "snippet", "source", "dest", "timestamp" })
            {
                Assert.True(record.TryGetProperty(key, out _), $"missing {key}");
            }

            Assert.EndsWith("+00:00", ThreatLogFile.Get(record, "timestamp"));
        }

        var status = await monitor.CliAsync("status");
        Assert.Contains("Threats: 3 (EXFIL 3", status.Stdout);
    }

    [Fact]
    public async Task A_torn_last_line_from_a_crash_does_not_swallow_the_next_record()
    {
        var logDir = MonitorProcess.NewLogDir();
        Directory.CreateDirectory(logDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(logDir, "threats.jsonl"), "{\"direction\":\"outbound\",\"protocol\":\"ht");
        await using var monitor = await MonitorProcess.StartAsync(logDir: logDir);
        using var client = monitor.CreateHttpClient();

        using (await client.GetAsync("http://after-crash.invalid/etc/passwd"))
        {
        }

        var threats = await WaitForThreatsCommandAsync(monitor, "after-crash.invalid:80");
        Assert.Contains("skipped", threats.Stderr);
        var raw = File.ReadAllText(monitor.Threats.Path);
        Assert.Contains("\n{\"direction\":\"outbound\"", raw);
        Assert.Contains("+00:00\"", raw);
    }

    private static async Task<ProcessResult> WaitForThreatsCommandAsync(MonitorProcess monitor, string dest)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var result = await monitor.CliAsync("threats");
            if (result.Stdout.Contains(dest, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                Assert.Contains(dest, result.Stdout);
                return result;
            }
        }
    }
}
