namespace ClawSec.Proxy.Tests.Infrastructure;

/// <summary>Counts a server's TCP connections, accepted and still open, and lets a test await a count.</summary>
internal sealed class ConnectionCounter
{
    private readonly SemaphoreSlim _changed = new(0);
    private int _accepted;
    private int _open;

    public int Accepted => Volatile.Read(ref _accepted);
    public int Open => Volatile.Read(ref _open);

    /// <summary>Wraps a connection's handling: counted open until <paramref name="handle"/> completes.</summary>
    public async Task TrackAsync(Func<Task> handle)
    {
        Interlocked.Increment(ref _accepted);
        Interlocked.Increment(ref _open);
        _changed.Release();
        try
        {
            await handle();
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            _changed.Release();
        }
    }

    /// <summary>Waits, woken by each change, until the number of open connections satisfies <paramref name="predicate"/>.</summary>
    public async Task WaitForOpenAsync(Func<int, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!predicate(Open))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _changed.WaitAsync(left))
            {
                throw new TimeoutException($"{Open} connection(s) still open after {timeout.TotalSeconds} s");
            }
        }
    }
}
