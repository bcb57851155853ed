using ClawSec.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace ClawSec.Proxy.Tests.Hardening;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_lets_an_in_flight_request_finish_drains_the_threat_log_and_removes_the_pid_file()
    {
        var arrived = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await using var upstream = await TestUpstream.StartAsync(async context =>
        {
            arrived.TrySetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await context.Response.WriteAsync("finished");
        });
        var monitor = await MonitorProcess.StartAsync();
        await using (monitor)
        {
            using var client = monitor.CreateHttpClient();
            var inFlight = client.GetStringAsync(upstream.Url + "/slow?f=/etc/shadow");
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

            Signals.Send(monitor.Pid, Signals.SigTerm);
            // New connections are refused once the listener stops; the request already in flight is not cut off.
            await WaitUntilClosedAsync(monitor.Port);
            release.TrySetResult();

            Assert.Equal("finished", await inFlight.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal(0, await monitor.TerminateAsync());
            Assert.False(File.Exists(Path.Combine(monitor.LogDir, "monitor.pid")));
            Assert.Contains(monitor.Threats.ReadAll(), r => ThreatLogFile.Get(r, "snippet").Contains("/etc/shadow", StringComparison.Ordinal));
        }
    }

    private static async Task WaitUntilClosedAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (FreePort.IsOpen(port))
        {
            Assert.True(DateTime.UtcNow < deadline, "the listener did not stop");
            await Task.Yield();
        }
    }
}
