using Microsoft.AspNetCore.Connections;

namespace ClawSec.Proxy.Hosting;

/// <summary>
/// Gives memory back to the system once the proxy has been without connections for a while: a full, compacting
/// collection that returns free pages, then the C library's free pages. An idle process allocates nothing, so the
/// collector would otherwise never run and keep what the last burst of traffic left committed; glibc keeps freed
/// native memory (TLS, the JIT) in its arenas until asked.
/// </summary>
internal sealed class IdleMemoryTrimmer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _quiet;
    private readonly ITimer _timer;
    private int _open;
    private long _lastClosedTicks;
    private int _trims;

    // 1 when something happened (start-up, traffic) since the last trim.
    private int _dirty = 1;

    /// <param name="quiet">How long without connections before memory is given back; checked every second.</param>
    public IdleMemoryTrimmer(TimeProvider time, TimeSpan quiet)
    {
        _time = time;
        _quiet = quiet;
        _lastClosedTicks = time.GetUtcNow().UtcTicks;
        _timer = time.CreateTimer(_ => TrimIfIdle(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>How many times memory was given back.</summary>
    public int Trims => Volatile.Read(ref _trims);

    /// <summary>Runs one connection through <paramref name="next"/>, counting it as open meanwhile.</summary>
    public async Task TrackAsync(ConnectionDelegate next, ConnectionContext connection)
    {
        Interlocked.Increment(ref _open);
        Volatile.Write(ref _dirty, 1);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _lastClosedTicks, _time.GetUtcNow().UtcTicks);
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>Gives memory back if there has been traffic since the last time and no connection for a while.</summary>
    public void TrimIfIdle()
    {
        var quietFor = TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastClosedTicks));
        if (Volatile.Read(ref _open) > 0 || quietFor < _quiet || Interlocked.Exchange(ref _dirty, 0) == 0)
        {
            return;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        Interlocked.Increment(ref _trims);
    }

    public void Dispose() => _timer.Dispose();
}
