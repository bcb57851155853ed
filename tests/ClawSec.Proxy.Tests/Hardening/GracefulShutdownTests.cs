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
            // The one SIGTERM is enough: the monitor exits by itself once the request is done.
            await monitor.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, await monitor.TerminateAsync());
            Assert.False(File.Exists(Path.Combine(monitor.LogDir, "monitor.pid")));
            Assert.Contains(monitor.Threats.ReadAll(), r => ThreatLogFile.Get(r, "snippet").Contains("/etc/shadow", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_second_sigterm_while_draining_does_not_cut_the_drain_short()
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
            var inFlight = client.GetStringAsync(upstream.Url + "/slow");
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

            Signals.Send(monitor.Pid, Signals.SigTerm);
            await WaitUntilClosedAsync(monitor.Port);
            Signals.Send(monitor.Pid, Signals.SigTerm);
            release.TrySetResult();

            Assert.Equal("finished", await inFlight.WaitAsync(TimeSpan.FromSeconds(20)));
            await monitor.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, await monitor.TerminateAsync());
            Assert.False(File.Exists(Path.Combine(monitor.LogDir, "monitor.pid")));
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
