using ClawSec.Proxy.Hosting;
using ClawSec.Proxy.Tests.Certificates;
using Microsoft.AspNetCore.Connections;

namespace ClawSec.Proxy.Tests.Hosting;

public sealed class IdleMemoryTrimmerTests
{
    [Fact]
    public async Task Memory_is_given_back_once_after_traffic_when_no_connection_has_been_open_for_the_quiet_time()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        using var trimmer = new IdleMemoryTrimmer(time, TimeSpan.FromSeconds(2));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = trimmer.TrackAsync(_ => release.Task, new DefaultConnectionContext());

        time.Advance(TimeSpan.FromSeconds(10));
        trimmer.TrimIfIdle();
        Assert.Equal(0, trimmer.Trims);

        release.SetResult();
        await connection;
        time.Advance(TimeSpan.FromSeconds(1));
        trimmer.TrimIfIdle();
        Assert.Equal(0, trimmer.Trims);

        time.Advance(TimeSpan.FromSeconds(1));
        trimmer.TrimIfIdle();
        Assert.Equal(1, trimmer.Trims);

        // Nothing happened since: nothing more to give back.
        time.Advance(TimeSpan.FromSeconds(10));
        trimmer.TrimIfIdle();
        Assert.Equal(1, trimmer.Trims);

        await trimmer.TrackAsync(_ => Task.CompletedTask, new DefaultConnectionContext());
        time.Advance(TimeSpan.FromSeconds(2));
        trimmer.TrimIfIdle();
        Assert.Equal(2, trimmer.Trims);
    }
}
