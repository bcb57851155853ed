using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Forwarding;

/// <summary>Listening beyond loopback needs proxy_auth or an explicit opt-out; proxy_auth is enforced.</summary>
public sealed class ExposureTests
{
    [Fact]
    public async Task A_non_loopback_host_without_auth_is_refused_at_start()
    {
        var config = MonitorProcess.NewLogDir() + ".json";
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, $$"""{"log_dir": "{{config[..^5]}}", "proxy_host": "0.0.0.0", "proxy_port": {{FreePort.Next()}}}""");

        var start = await MonitorProcess.Cli(config, "start");

        Assert.Equal(2, start.ExitCode);
        Assert.Contains("proxy_auth", start.Stderr);
    }

    [Fact]
    public async Task Allow_unauthenticated_remote_starts_with_a_warning()
    {
        await using var monitor = await MonitorProcess.StartAsync(new { proxy_host = "0.0.0.0", allow_unauthenticated_remote = true });

        Assert.True(FreePort.IsOpen(monitor.Port));
        Assert.Contains("WITHOUT authentication", monitor.Stderr);
    }

    [Fact]
    public async Task Proxy_auth_is_required_and_not_forwarded()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync(new { proxy_auth = "agent:s3cret-pass" });

        var without = await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/a");
        var wrong = await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/b", "--proxy-user", "agent:wrong");
        var right = await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/c", "--proxy-user", "agent:s3cret-pass");

        Assert.Equal(407, Clients.StatusOf(without));
        Assert.Equal(407, Clients.StatusOf(wrong));
        Assert.Equal(200, Clients.StatusOf(right));
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal("/c", seen.PathAndQuery);
        Assert.False(seen.Headers.ContainsKey("Proxy-Authorization"));
    }
}
