using System.Diagnostics;
using ClawSec.Proxy.Tests.Deploy;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Detection;

/// <summary>User rules and an imported gitleaks file take part in scanning; a catastrophic user regex cannot stall traffic.</summary>
public sealed class UserRulesEndToEndTests
{
    [Fact]
    public async Task A_user_rule_from_the_config_is_recorded_under_its_name()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync(new
        {
            rules = new[]
            {
                new { name = "internal_ticket_token", regex = "TKT-[0-9]{8}-[A-Z]{4}", keywords = new[] { "tkt-" }, severity = "medium" },
            },
        });

        var result = await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/t", "--data-binary", "ref TKT-20261125-ABCD please");

        Assert.Equal(200, Clients.StatusOf(result));
        var record = await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "pattern") == "internal_ticket_token");
        Assert.Equal("medium", ThreatLogFile.Get(record, "severity"));
    }

    [Fact]
    public async Task An_imported_gitleaks_file_adds_its_rules_and_lists_what_it_skipped()
    {
        // shared/ beside the repository, or where CLAWSEC_SHARED_DIR says (.ci/run sets it for other layouts).
        var shared = Environment.GetEnvironmentVariable("CLAWSEC_SHARED_DIR") is { Length: > 0 } dir ? dir : Path.Combine(RepositoryFiles.Root, "..", "shared");
        var gitleaks = Path.GetFullPath(Path.Combine(shared, "rules", "gitleaks.toml"));
        Assert.True(File.Exists(gitleaks), gitleaks);
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync(new { gitleaks_config = gitleaks });
        Assert.Contains("rule(s) imported", monitor.Stderr);
        Assert.Contains("skipped:", monitor.Stderr);

        var token = "ghp_" + FakeSecrets.Random("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 36);
        var result = await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/g", "-H", "X-Token: " + token);

        Assert.Equal(200, Clients.StatusOf(result));
        await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "pattern").StartsWith("gitleaks:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_user_rule_with_catastrophic_backtracking_does_not_stall_traffic()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync(new
        {
            rules = new[] { new { name = "redos", regex = "(a+)+(b|\\1)+$", keywords = Array.Empty<string>() } },
        });

        var watch = Stopwatch.StartNew();
        var result = await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/r", "--data-binary", new string('a', 40_000) + "!");

        Assert.Equal(200, Clients.StatusOf(result));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task An_unusable_user_rule_is_a_config_error_naming_it()
    {
        var path = MonitorProcess.NewLogDir() + ".json";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, """{"rules": [{"name": "bad_one", "regex": "x", "threat_type": "SOMETHING"}]}""");

        var start = await MonitorProcess.Cli(path, "start");

        Assert.Equal(2, start.ExitCode);
        Assert.Contains("bad_one", start.Stderr);
    }
}
