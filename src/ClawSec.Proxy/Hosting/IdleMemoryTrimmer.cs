using Microsoft.AspNetCore.Connections;

namespace ClawSec.Proxy.Hosting;

/// <summary>
/// Gives memory back to the system once the proxy has been without connections for a while: a full, compacting
/// collection that returns free pages. An idle process allocates nothing, so the collector would otherwise never run
/// and keep what the last burst of traffic left committed.
/// </summary>
internal sealed class IdleMemoryTrimmer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _quiet;
    private readonly ITimer _timer;
    private int _open;
    private long _lastClosed;

    // Something happened (start-up, traffic) since the last trim.
    private volatile bool _dirty = true;

    /// <param name="quiet">How long without connections before memory is given back; checked every second.</param>
    public IdleMemoryTrimmer(TimeProvider time, TimeSpan quiet)
    {
        _time = time;
        _quiet = quiet;
        _lastClosed = time.GetTimestamp();
        _timer = time.CreateTimer(_ => TrimIfIdle(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Runs one connection through <paramref name="next"/>, counting it as open meanwhile.</summary>
    public async Task TrackAsync(ConnectionDelegate next, ConnectionContext connection)
    {
        Interlocked.Increment(ref _open);
        _dirty = true;
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _lastClosed, _time.GetTimestamp());
            Interlocked.Decrement(ref _open);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void TrimIfIdle()
    {
        if (!_dirty || Volatile.Read(ref _open) > 0 || _time.GetElapsedTime(Interlocked.Read(ref _lastClosed)) < _quiet)
        {
            return;
        }

        _dirty = false;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
