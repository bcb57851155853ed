using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ClawSec.Proxy.Certificates;

namespace ClawSec.Proxy.Tests.Certificates;

/// <summary>One leaf per host, made once, bounded in number and renewed before it expires.</summary>
public sealed class LeafCertificateCacheTests : IDisposable
{
    private readonly X509Certificate2 _ca = TestCertificates.NewCa();

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task Fifty_concurrent_first_requests_for_one_host_make_one_leaf()
    {
        var cache = new LeafCertificateCache(_ca);

        var contexts = await InParallel(50, _ => cache.GetAsync("same.example"));

        Assert.Equal(1, cache.Created);
        Assert.Equal(1, cache.Count);
        Assert.All(contexts, c => Assert.Same(contexts[0], c));
    }

    [Fact]
    public async Task Fifty_concurrent_first_requests_for_fifty_hosts_make_fifty_leaves()
    {
        var cache = new LeafCertificateCache(_ca);

        var contexts = await InParallel(50, i => cache.GetAsync($"host{i}.example"));

        Assert.Equal(50, cache.Created);
        Assert.Equal(50, cache.Count);
        Assert.Equal(50, contexts.Distinct().Count());
        Assert.Equal(
            Enumerable.Range(0, 50).Select(i => $"host{i}.example"),
            contexts.Select(c => TestCertificates.AlternativeNames(c.TargetCertificate).EnumerateDnsNames().Single()));
    }

    [Fact]
    public async Task Spellings_of_one_host_share_one_leaf()
    {
        var cache = new LeafCertificateCache(_ca);

        var lower = await cache.GetAsync("api.example.com");
        var upper = await cache.GetAsync("API.Example.COM");
        var dotted = await cache.GetAsync("api.example.com.");
        var v6 = await cache.GetAsync("::1");
        var bracketed = await cache.GetAsync("[::1]");

        Assert.Same(lower, upper);
        Assert.Same(lower, dotted);
        Assert.Same(v6, bracketed);
        Assert.Equal(2, cache.Created);
    }

    [Fact]
    public async Task A_cached_leaf_is_served_again_without_making_a_new_one()
    {
        var cache = new LeafCertificateCache(_ca);

        var first = await cache.GetAsync("api.example.com");
        var second = await cache.GetAsync("api.example.com");

        Assert.Same(first, second);
        Assert.Equal(1, cache.Created);
    }

    [Fact]
    public async Task The_cache_holds_no_more_hosts_than_its_capacity()
    {
        var cache = new LeafCertificateCache(_ca, capacity: 10);

        for (var i = 0; i < 25; i++)
        {
            await cache.GetAsync($"host{i}.example");
        }

        Assert.InRange(cache.Count, 1, 10);
        Assert.Equal(25, cache.Created);
    }

    [Fact]
    public async Task Concurrent_new_hosts_leave_the_cache_within_its_capacity()
    {
        var cache = new LeafCertificateCache(_ca, capacity: 10);

        await InParallel(200, i => cache.GetAsync($"host{i}.example"));
        await cache.GetAsync("one-more.example");

        Assert.InRange(cache.Count, 1, 10);
    }

    [Fact]
    public async Task The_least_recently_used_host_is_dropped_first()
    {
        var cache = new LeafCertificateCache(_ca, capacity: 10);
        for (var i = 0; i < 10; i++)
        {
            await cache.GetAsync($"host{i}.example");
        }

        await cache.GetAsync("host0.example");
        await cache.GetAsync("host10.example");
        var made = cache.Created;
        await cache.GetAsync("host0.example");
        var keptRecentlyUsed = cache.Created == made;
        await cache.GetAsync("host1.example");
        var droppedOldest = cache.Created == made + 1;

        Assert.True(keptRecentlyUsed, "host0 was used after host1, so host1 should have gone first");
        Assert.True(droppedOldest, "host1 was the least recently used and should have been dropped");
    }

    [Fact]
    public async Task A_leaf_is_renewed_before_it_expires()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var cache = new LeafCertificateCache(_ca, time: time);
        var first = await cache.GetAsync("api.example.com");

        time.Advance(TimeSpan.FromDays(28));
        var stillValid = await cache.GetAsync("api.example.com");
        time.Advance(TimeSpan.FromDays(2));
        var renewed = await cache.GetAsync("api.example.com");

        Assert.Same(first, stillValid);
        Assert.NotSame(first, renewed);
        Assert.Equal(2, cache.Created);
        Assert.Equal(1, cache.Count);
        Assert.True(renewed.TargetCertificate.NotAfter > first.TargetCertificate.NotAfter.AddDays(29));
    }

    [Fact]
    public async Task A_failed_creation_is_not_cached()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(_ca.NotAfter).AddDays(1));
        var cache = new LeafCertificateCache(_ca, time: time);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetAsync("api.example.com"));
        Assert.Equal(0, cache.Count);

        time.Set(DateTimeOffset.UtcNow);
        var context = await cache.GetAsync("api.example.com");

        Assert.Equal(1, cache.Created);
        Assert.Equal(1, cache.Count);
        Assert.True(context.TargetCertificate.HasPrivateKey);
    }

    [Fact]
    public void An_invalid_host_is_rejected()
    {
        var cache = new LeafCertificateCache(_ca);

        Assert.Throws<ArgumentException>(() => cache.GetAsync(""));
        Assert.Throws<ArgumentException>(() => cache.GetAsync("not a host"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_capacity_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeafCertificateCache(_ca, capacity: 0));
    }

    /// <summary>Starts <paramref name="count"/> lookups on pool threads released together, and waits for all.</summary>
    private static async Task<SslStreamCertificateContext[]> InParallel(int count, Func<int, ValueTask<SslStreamCertificateContext>> lookup)
    {
        using var go = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, count)
            .Select(i => Task.Run(async () =>
            {
                go.Wait();
                return await lookup(i);
            }))
            .ToArray();
        go.Set();
        return await Task.WhenAll(tasks);
    }
}
