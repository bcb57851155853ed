using System.Text.Json;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Detection;

/// <summary>One monitor and one upstream shared by a test class.</summary>
public sealed class SharedMonitor : IAsyncLifetime
{
    private int _marker;

    internal MonitorProcess Monitor { get; private set; } = null!;
    internal TestUpstream Upstream { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Upstream = await TestUpstream.StartAsync();
        Monitor = await MonitorProcess.StartAsync(new { log_level = "DEBUG" });
    }

    public async ValueTask DisposeAsync()
    {
        await Monitor.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    /// <summary>
    /// Sends a detection of its own and waits until it is on disk. The threat log has one writer fed in order,
    /// so once the marker is there every detection published before it is there too.
    /// </summary>
    internal async Task SettleAsync()
    {
        var dest = $"marker-{Interlocked.Increment(ref _marker)}.invalid:80";
        using var client = Monitor.CreateHttpClient();
        using var _ = await client.GetAsync($"http://{dest}/etc/passwd");
        await Monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == dest);
    }

    internal IReadOnlyList<JsonElement> RecordsFor(string dest) =>
        Monitor.Threats.ReadAll().Where(r => ThreatLogFile.Get(r, "dest") == dest).ToList();
}
