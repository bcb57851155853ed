using ClawSec.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace ClawSec.Proxy.Tests.Hardening;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_lets_an_in_flight_request_finish_drains_the_threat_log_and_removes_the_pid_file()
    {
        await using var held = await HeldRequest.StartAsync("/slow?f=/etc/shadow");

        Signals.Send(held.Monitor.Pid, Signals.SigTerm);
        // New connections are refused once the listener stops; the request already in flight is not cut off.
        await WaitUntilClosedAsync(held.Monitor.Port);

        await held.FinishesAndTheMonitorExitsCleanlyAsync();
        Assert.Contains(held.Monitor.Threats.ReadAll(), r => ThreatLogFile.Get(r, "snippet").Contains("/etc/shadow", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_sigterm_while_draining_does_not_cut_the_drain_short()
    {
        await using var held = await HeldRequest.StartAsync("/slow");

        Signals.Send(held.Monitor.Pid, Signals.SigTerm);
        await WaitUntilClosedAsync(held.Monitor.Port);
        Signals.Send(held.Monitor.Pid, Signals.SigTerm);

        await held.FinishesAndTheMonitorExitsCleanlyAsync();
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

    /// <summary>A monitor with one request through it that the upstream holds until released.</summary>
    private sealed class HeldRequest : IAsyncDisposable
    {
        private readonly TaskCompletionSource _release = new();
        private TestUpstream _upstream = null!;
        private HttpClient _client = null!;
        private Task<string> _inFlight = null!;

        public MonitorProcess Monitor { get; private set; } = null!;

        public static async Task<HeldRequest> StartAsync(string path)
        {
            var held = new HeldRequest();
            var arrived = new TaskCompletionSource();
            held._upstream = await TestUpstream.StartAsync(async context =>
            {
                arrived.TrySetResult();
                await held._release.Task.WaitAsync(TimeSpan.FromSeconds(20));
                await context.Response.WriteAsync("finished");
            });
            held.Monitor = await MonitorProcess.StartAsync();
            held._client = held.Monitor.CreateHttpClient();
            held._inFlight = held._client.GetStringAsync(held._upstream.Url + path);
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return held;
        }

        /// <summary>Releases the request: it completes, and the monitor exits 0 by itself with its PID file gone.</summary>
        public async Task FinishesAndTheMonitorExitsCleanlyAsync()
        {
            _release.TrySetResult();
            Assert.Equal("finished", await _inFlight.WaitAsync(TimeSpan.FromSeconds(20)));

            // The SIGTERM already sent is enough: the monitor exits once the request is done.
            await Monitor.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, await Monitor.TerminateAsync());
            Assert.False(File.Exists(Path.Combine(Monitor.LogDir, "monitor.pid")));
        }

        public async ValueTask DisposeAsync()
        {
            _release.TrySetResult();
            _client?.Dispose();
            if (Monitor is not null)
            {
                await Monitor.DisposeAsync();
            }

            if (_upstream is not null)
            {
                await _upstream.DisposeAsync();
            }
        }
    }
}
