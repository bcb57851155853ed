using System.Security.Cryptography;
using System.Text;

namespace ClawSec.Core.Threats;

/// <summary>
/// Suppresses a repeat of the same finding — same (pattern, dest, direction, matched value) — within a window
/// measured from the last time it was recorded. Pure: the caller passes the time. Not thread-safe: the threat
/// sink's single writer owns it. Matched values are kept only as hashes, so no secret lingers here.
/// </summary>
public sealed class Deduplicator
{
    private readonly TimeSpan _window;
    private readonly Dictionary<string, DateTimeOffset> _lastRecorded = new(StringComparer.Ordinal);
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    public Deduplicator(TimeSpan window) => _window = window;

    public int TrackedCount => _lastRecorded.Count;

    /// <summary>True when this finding should be recorded now; remembers it when so.</summary>
    public bool ShouldRecord(string pattern, string dest, string direction, string value, DateTimeOffset now)
    {
        if (_window <= TimeSpan.Zero)
        {
            return true;
        }

        Prune(now);
        var key = KeyOf(pattern, dest, direction, value);
        if (_lastRecorded.TryGetValue(key, out var last) && now - last < _window)
        {
            return false;
        }

        _lastRecorded[key] = now;
        return true;
    }

    private void Prune(DateTimeOffset now)
    {
        if (now < _nextPrune)
        {
            return;
        }

        _nextPrune = now + _window;
        foreach (var (key, last) in _lastRecorded)
        {
            if (now - last >= _window)
            {
                _lastRecorded.Remove(key);
            }
        }
    }

    private static string KeyOf(string pattern, string dest, string direction, string value)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return string.Concat(pattern, "\n", dest, "\n", direction, "\n", Convert.ToHexString(hash));
    }
}
