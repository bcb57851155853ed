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
        using var trimmer = new IdleMemoryTrimmer(time, TimeSpan.FromSeconds(2), () => 0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = trimmer.TrackAsync(_ => release.Task, new DefaultConnectionContext());

        After(time, trimmer, seconds: 10, trims: 0);

        release.SetResult();
        await connection;
        After(time, trimmer, seconds: 1, trims: 0);

        After(time, trimmer, seconds: 1, trims: 1);

        // Nothing happened since: nothing more to give back.
        After(time, trimmer, seconds: 10, trims: 1);

        await trimmer.TrackAsync(_ => Task.CompletedTask, new DefaultConnectionContext());
        After(time, trimmer, seconds: 2, trims: 2);
    }

    [Fact]
    public void Memory_is_given_back_after_start_up_when_no_connection_comes()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        using var trimmer = new IdleMemoryTrimmer(time, TimeSpan.FromSeconds(2), () => 0);

        After(time, trimmer, seconds: 1, trims: 0);

        After(time, trimmer, seconds: 1, trims: 1);

        After(time, trimmer, seconds: 10, trims: 1);
    }

    [Fact]
    public void Memory_is_given_back_again_once_compilation_after_the_last_trim_has_stopped()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        long compiled = 100;
        using var trimmer = new IdleMemoryTrimmer(time, TimeSpan.FromSeconds(2), () => compiled);

        // Traffic is trimmed after even while the JIT is still busy.
        compiled = 200;
        After(time, trimmer, seconds: 2, trims: 1);

        // Background compilation goes on: wait until it stops.
        compiled = 300;
        time.Advance(TimeSpan.FromSeconds(1));
        trimmer.TrimIfIdle();
        compiled = 400;
        After(time, trimmer, seconds: 1, trims: 1);

        After(time, trimmer, seconds: 1, trims: 2);

        // Nothing compiled since.
        After(time, trimmer, seconds: 10, trims: 2);
    }

    [Fact]
    public async Task Compilation_while_a_connection_is_open_waits_for_the_quiet_time()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        long compiled = 0;
        using var trimmer = new IdleMemoryTrimmer(time, TimeSpan.FromSeconds(2), () => compiled);
        After(time, trimmer, seconds: 2, trims: 1);

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = trimmer.TrackAsync(_ => release.Task, new DefaultConnectionContext());
        compiled = 50;
        time.Advance(TimeSpan.FromSeconds(5));
        trimmer.TrimIfIdle();
        trimmer.TrimIfIdle();
        Assert.Equal(1, trimmer.Trims);

        release.SetResult();
        await connection;
        After(time, trimmer, seconds: 1, trims: 1);

        After(time, trimmer, seconds: 1, trims: 2);
    }

    /// <summary>Lets <paramref name="seconds"/> pass, has the trimmer look, and checks how many trims it has made in all.</summary>
    private static void After(ManualTimeProvider time, IdleMemoryTrimmer trimmer, int seconds, int trims)
    {
        time.Advance(TimeSpan.FromSeconds(seconds));
        trimmer.TrimIfIdle();
        Assert.Equal(trims, trimmer.Trims);
    }
}
