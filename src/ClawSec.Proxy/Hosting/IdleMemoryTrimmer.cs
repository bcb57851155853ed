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
    private readonly Func<long> _compiledMethods;
    private readonly ITimer _timer;
    private int _open;
    private long _lastClosedTicks;
    private int _trims;

    // 1 when something happened (start-up, traffic) since the last trim.
    private int _dirty = 1;

    // Methods compiled by the last trim and by the previous check. Tiered compilation goes on for seconds after a
    // burst of traffic, in the background, and its scratch memory is native: once it has settled, trim again.
    private long _compiledAtTrim;
    private long _compiledAtCheck;

    /// <param name="quiet">How long without connections before memory is given back; checked every second.</param>
    /// <param name="compiledMethods">How many methods the JIT has compiled so far (<see cref="System.Runtime.JitInfo"/>).</param>
    public IdleMemoryTrimmer(TimeProvider time, TimeSpan quiet, Func<long> compiledMethods)
    {
        _time = time;
        _quiet = quiet;
        _compiledMethods = compiledMethods;
        _lastClosedTicks = time.GetUtcNow().UtcTicks;
        _compiledAtTrim = _compiledAtCheck = compiledMethods();
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

    /// <summary>
    /// Gives memory back if there has been no connection for a while and, since the last time, there has been traffic,
    /// or compilation that has since stopped. Called by the timer only, one call at a time.
    /// </summary>
    public void TrimIfIdle()
    {
        var compiled = _compiledMethods();
        var compiling = compiled != _compiledAtCheck;
        _compiledAtCheck = compiled;

        var quietFor = TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastClosedTicks));
        if (Volatile.Read(ref _open) > 0 || quietFor < _quiet)
        {
            return;
        }

        var compiledSince = !compiling && compiled != _compiledAtTrim;
        if (Interlocked.Exchange(ref _dirty, 0) == 0 && !compiledSince)
        {
            return;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        Interlocked.Increment(ref _trims);
        // What the trim itself compiled (on its first run) is no reason for another.
        _compiledAtTrim = _compiledAtCheck = _compiledMethods();
    }

    public void Dispose() => _timer.Dispose();
}
