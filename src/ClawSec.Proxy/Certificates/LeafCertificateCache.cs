using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ClawSec.Proxy.Certificates;

/// <summary>
/// Leaf certificates for intercepted hosts, made on first use and kept as <see cref="SslStreamCertificateContext"/>
/// so a TLS handshake does no chain building. A host's leaf is made once even when many connections to it open
/// at the same moment; hosts never wait for each other. The cache holds at most about <c>capacity</c> hosts and
/// drops the least recently used beyond that.
/// </summary>
internal sealed class LeafCertificateCache
{
    /// <summary>A leaf this close to expiry is replaced, so a long-lived connection never sees one expire mid-use.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LeafCertificateIssuer _issuer;
    private readonly X509Certificate2Collection _chain;
    private readonly int _capacity;
    private readonly int _trimTo;
    private readonly TimeProvider _time;
    private int _count;
    private int _trimming;
    private long _created;

    public LeafCertificateCache(X509Certificate2 ca, int capacity = 4096, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _issuer = new LeafCertificateIssuer(ca);

        // The CA goes along as the chain, without its private key. SslStream on Linux and macOS drops a self-signed
        // root from what it sends, which is harmless: clients must trust ca.crt as their anchor regardless.
        _chain = [X509CertificateLoader.LoadCertificate(ca.RawData)];
        _capacity = capacity;

        // Trimming a little below capacity means a full cache sorts once per many new hosts, not on every one.
        _trimTo = capacity - (capacity / 16);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many hosts have a leaf (or one being made) in the cache.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>How many leaves this cache has made.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>The certificate context to serve for <paramref name="host"/> (an SNI name or a CONNECT host).</summary>
    /// <exception cref="ArgumentException">The host is neither a valid DNS name nor an IP literal.</exception>
    public ValueTask<SslStreamCertificateContext> GetAsync(string host)
    {
        var parsed = CertificateHost.Parse(host);
        while (true)
        {
            if (_entries.TryGetValue(parsed.Key, out var entry))
            {
                var task = entry.Leaf.Task;
                if (!task.IsCompleted)
                {
                    entry.Touch();
                    return new ValueTask<SslStreamCertificateContext>(ContextOf(task));
                }

                if (task.IsCompletedSuccessfully && _time.GetUtcNow() < task.Result.RenewAt)
                {
                    entry.Touch();
                    return new ValueTask<SslStreamCertificateContext>(task.Result.Context);
                }

                // Expiring or failed: whoever swaps in the replacement makes the new leaf, the others wait for it.
                var replacement = new Entry();
                if (_entries.TryUpdate(parsed.Key, replacement, entry))
                {
                    return Fill(parsed, replacement);
                }
            }
            else
            {
                var added = new Entry();
                if (_entries.TryAdd(parsed.Key, added))
                {
                    Interlocked.Increment(ref _count);
                    var result = Fill(parsed, added);
                    TrimIfFull();
                    return result;
                }
            }
        }
    }

    private static async Task<SslStreamCertificateContext> ContextOf(Task<Leaf> pending) => (await pending.ConfigureAwait(false)).Context;

    /// <summary>Makes the leaf on the calling thread: no lock is held, so only callers for this host wait.</summary>
    private ValueTask<SslStreamCertificateContext> Fill(CertificateHost host, Entry entry)
    {
        Leaf leaf;
        try
        {
            leaf = Make(host);
        }
        catch (Exception ex)
        {
            // Forget the failure so the next request tries again.
            Remove(host.Key, entry);
            entry.Leaf.SetException(ex);

            // Callers waiting on this host see the exception; marking it observed keeps it from being reported
            // again as an unobserved task exception when nobody was waiting.
            _ = entry.Leaf.Task.Exception;
            return ValueTask.FromException<SslStreamCertificateContext>(ex);
        }

        Interlocked.Increment(ref _created);
        entry.Leaf.SetResult(leaf);
        return new ValueTask<SslStreamCertificateContext>(leaf.Context);
    }

    private Leaf Make(CertificateHost host)
    {
        var now = _time.GetUtcNow();
        var certificate = _issuer.Issue(host, now);
        var context = SslStreamCertificateContext.Create(certificate, _chain, offline: true);

        // Renew a day early, or halfway through the remaining time when the CA itself is about to expire, so a
        // short leaf is not remade on every request.
        var notAfter = new DateTimeOffset(certificate.NotAfter);
        var margin = notAfter - now < RenewBefore * 2 ? (notAfter - now) / 2 : RenewBefore;
        return new Leaf(context, notAfter - margin);
    }

    private void TrimIfFull()
    {
        // One thread trims at a time; the others carry on and leave the cache briefly over capacity.
        while (Volatile.Read(ref _count) > _capacity && Interlocked.CompareExchange(ref _trimming, 1, 0) == 0)
        {
            try
            {
                Trim();
            }
            finally
            {
                Volatile.Write(ref _trimming, 0);
            }
        }
    }

    /// <summary>
    /// Drops the least recently used made leaves down to <see cref="_trimTo"/>. Enumerating a
    /// <see cref="ConcurrentDictionary{TKey, TValue}"/> takes no locks, so lookups of other hosts go on meanwhile.
    /// Leaves still being made are kept: dropping one would make its host's next request make it again.
    /// </summary>
    private void Trim()
    {
        var candidates = new List<KeyValuePair<string, Entry>>(_capacity + 16);
        foreach (var pair in _entries)
        {
            if (pair.Value.Leaf.Task.IsCompleted)
            {
                candidates.Add(pair);
            }
        }

        var excess = Math.Min(Volatile.Read(ref _count) - _trimTo, candidates.Count);
        if (excess <= 0)
        {
            return;
        }

        var lastUsed = candidates.Select(pair => pair.Value.LastUsed).ToArray();
        var ordered = candidates.ToArray();
        Array.Sort(lastUsed, ordered);
        for (var i = 0; i < excess; i++)
        {
            Remove(ordered[i].Key, ordered[i].Value);
        }
    }

    /// <summary>Removes the entry only if it is still the one cached for the key, not a newer replacement.</summary>
    private void Remove(string key, Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private sealed record Leaf(SslStreamCertificateContext Context, DateTimeOffset RenewAt);

    private sealed class Entry
    {
        private long _lastUsed = Stopwatch.GetTimestamp();

        public TaskCompletionSource<Leaf> Leaf { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long LastUsed => Volatile.Read(ref _lastUsed);

        public void Touch() => Volatile.Write(ref _lastUsed, Stopwatch.GetTimestamp());
    }
}
