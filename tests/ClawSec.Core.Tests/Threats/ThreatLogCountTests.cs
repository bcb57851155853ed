using System.Text;
using ClawSec.Core.Threats;
using static ClawSec.Core.Tests.Threats.ThreatLog;

namespace ClawSec.Core.Tests.Threats;

public sealed class ThreatLogCountTests
{
    [Fact]
    public void An_empty_log_has_no_counts()
    {
        Assert.Empty(ThreatLogReader.CountByType(Stream("")));
    }

    [Fact]
    public void Records_are_counted_by_threat_type()
    {
        var log = Lines(Record(1), Record(2, "INJECTION"), Record(3), Record(4, "SSH_CONNECT"), Record(5));

        var counts = ThreatLogReader.CountByType(log);

        Assert.Equal(new Dictionary<string, long> { ["EXFIL"] = 3, ["INJECTION"] = 1, ["SSH_CONNECT"] = 1 }, counts);
    }

    [Fact]
    public void Lines_that_are_not_records_are_not_counted()
    {
        var log = Stream(string.Join('\n', Record(1), "garbage", "", """{"threat_type":"EXFIL" """, Record(2, "INJECTION") + "\r", Record(3)[..30]));

        var counts = ThreatLogReader.CountByType(log);

        Assert.Equal(new Dictionary<string, long> { ["EXFIL"] = 1, ["INJECTION"] = 1 }, counts);
    }

    [Fact]
    public void Only_the_top_level_threat_type_counts()
    {
        var counts = ThreatLogReader.CountByType(Lines("""{"details":{"threat_type":"INJECTION"},"threat_type":"EXFIL"}"""));

        Assert.Equal(new Dictionary<string, long> { ["EXFIL"] = 1 }, counts);
    }

    [Fact]
    public void Records_without_a_string_threat_type_are_not_counted()
    {
        Assert.Empty(ThreatLogReader.CountByType(Lines("""{"pattern":"x"}""", """{"threat_type":null}""", """{"threat_type":["EXFIL"]}""")));
    }

    [Fact]
    public void Types_not_in_the_product_are_counted_under_their_own_name()
    {
        Assert.Equal(new Dictionary<string, long> { ["NEW_KIND"] = 2 }, ThreatLogReader.CountByType(Lines(Record(1, "NEW_KIND"), Record(2, "NEW_KIND"))));
    }

    [Fact]
    public void Long_lines_are_counted_and_overlong_ones_skipped()
    {
        var log = Lines(Record(1, snippetLength: 300_000), Record(2, snippetLength: ThreatLogReader.MaxLineBytes * 3), Record(3, "INJECTION"));

        Assert.Equal(new Dictionary<string, long> { ["EXFIL"] = 1, ["INJECTION"] = 1 }, ThreatLogReader.CountByType(log));
    }

    [Fact]
    public void A_large_log_is_counted_in_one_pass()
    {
        var log = new StringBuilder();
        for (int i = 0; i < 100_000; i++)
        {
            log.Append(Record(i, i % 10 == 0 ? "INJECTION" : "EXFIL")).Append('\n');
        }

        var stream = new CountingStream(Encoding.UTF8.GetBytes(log.ToString()));

        var counts = ThreatLogReader.CountByType(stream);

        Assert.Equal(new Dictionary<string, long> { ["EXFIL"] = 90_000, ["INJECTION"] = 10_000 }, counts);
        Assert.Equal(stream.Length, stream.BytesRead);
    }
}
