using System.Globalization;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Lifecycle;

/// <summary>The configuration as the running process takes it: file, environment, and errors.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task The_port_from_the_config_file_is_where_it_listens_and_detects()
    {
        var defaultWasOpen = FreePort.IsOpen(8888);
        await using var monitor = await MonitorProcess.StartAsync();

        Assert.NotEqual(8888, monitor.Port);
        Assert.True(FreePort.IsOpen(monitor.Port));
        Assert.Equal(defaultWasOpen, FreePort.IsOpen(8888));
        var status = await monitor.CliAsync("status");
        Assert.Contains($"127.0.0.1:{monitor.Port}", status.Stdout);
        Assert.DoesNotContain("127.0.0.1:8888", status.Stdout);

        var result = await Clients.CurlAsync(monitor.ProxyUrl, "http://config-port.invalid/etc/passwd");
        Assert.Equal(502, Clients.StatusOf(result));
        await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == "config-port.invalid:80");

        // Detections are printed to stderr too; it reaches the test through a pipe, a moment later.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!monitor.Stderr.Contains("THREAT EXFIL unix_sensitive", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, monitor.Stderr);
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Clawsec_proxy_port_in_the_environment_overrides_the_file()
    {
        var filePort = FreePort.Next();
        var envPort = FreePort.Next();

        await using var monitor = await MonitorProcess.StartAsync(
            new { proxy_port = filePort },
            new Dictionary<string, string> { ["CLAWSEC_PROXY_PORT"] = envPort.ToString(CultureInfo.InvariantCulture) });

        Assert.True(FreePort.IsOpen(envPort));
        Assert.False(FreePort.IsOpen(filePort));
    }

    [Theory]
    [InlineData("{ \"proxy_port\": ", "not valid JSON")]
    [InlineData("{ \"proxy_port\": \"abc\" }", "proxy_port")]
    [InlineData("{ \"proxy_port\": 70000 }", "proxy_port")]
    [InlineData("{ \"log_level\": \"LOUD\" }", "log_level")]
    public async Task A_bad_config_fails_at_start_with_a_one_line_error_naming_file_and_key(string json, string mentions)
    {
        var path = MonitorProcess.NewLogDir() + ".json";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);

        var start = await MonitorProcess.Cli(path, "start");

        Assert.Equal(2, start.ExitCode);
        var line = Assert.Single(start.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(path, line);
        Assert.Contains(mentions, line);
    }

    [Fact]
    public async Task An_unknown_key_is_a_warning_not_an_error()
    {
        await using var monitor = await MonitorProcess.StartAsync(new { proxy_prot = 1234 });

        Assert.Contains("proxy_prot", monitor.Stderr);
    }

    [Fact]
    public async Task A_port_in_use_is_a_clear_error()
    {
        await using var first = await MonitorProcess.StartAsync();
        var config = MonitorProcess.NewLogDir() + ".json";
        File.WriteAllText(config, $$"""{"log_dir": "{{config[..^5]}}", "proxy_port": {{first.Port}}}""");

        var second = await MonitorProcess.Cli(config, "start");

        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{first.Port}", second.Stderr);
        Assert.False(File.Exists(Path.Combine(config[..^5], "monitor.pid")));
    }
}
