using ClawSec.Core.Threats;

namespace ClawSec.Core.Tests.Threats;

public sealed class DeduplicatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Repeat_within_the_window_is_suppressed()
    {
        var dedup = new Deduplicator(TimeSpan.FromSeconds(60));
        Assert.True(dedup.ShouldRecord("unix_sensitive", "h:80", "outbound", "/etc/passwd", T0));
        Assert.False(dedup.ShouldRecord("unix_sensitive", "h:80", "outbound", "/etc/passwd", T0.AddSeconds(59)));
    }

    [Fact]
    public void Repeat_after_the_window_is_recorded_again()
    {
        var dedup = new Deduplicator(TimeSpan.FromSeconds(1));
        Assert.True(dedup.ShouldRecord("p", "h:80", "outbound", "v", T0));
        Assert.True(dedup.ShouldRecord("p", "h:80", "outbound", "v", T0.AddSeconds(1)));
    }

    [Theory]
    [InlineData("other", "h:80", "outbound", "v")]
    [InlineData("p", "other:80", "outbound", "v")]
    [InlineData("p", "h:80", "inbound", "v")]
    [InlineData("p", "h:80", "outbound", "other value")]
    public void Any_difference_in_the_key_is_a_new_finding(string pattern, string dest, string direction, string value)
    {
        var dedup = new Deduplicator(TimeSpan.FromSeconds(60));
        Assert.True(dedup.ShouldRecord("p", "h:80", "outbound", "v", T0));
        Assert.True(dedup.ShouldRecord(pattern, dest, direction, value, T0.AddSeconds(1)));
    }

    [Fact]
    public void Zero_window_records_everything()
    {
        var dedup = new Deduplicator(TimeSpan.Zero);
        Assert.True(dedup.ShouldRecord("p", "h", "outbound", "v", T0));
        Assert.True(dedup.ShouldRecord("p", "h", "outbound", "v", T0));
    }

    [Fact]
    public void Expired_entries_are_pruned()
    {
        var dedup = new Deduplicator(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 100; i++)
        {
            dedup.ShouldRecord("p", "h", "outbound", "v" + i, T0);
        }

        dedup.ShouldRecord("p", "h", "outbound", "new", T0.AddSeconds(5));
        Assert.Equal(1, dedup.TrackedCount);
    }
}
