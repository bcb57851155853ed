using System.Text;
using System.Text.Json;
using ClawSec.Core.Threats;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static ClawSec.Core.Tests.Threats.ThreatLog;

namespace ClawSec.Core.Tests.Threats;

/// <summary>What the readers return must not depend on where block boundaries fall.</summary>
public sealed class ThreatLogReaderChunkingTests
{
    private static readonly string[] LineKinds =
    [
        Record(1),
        Record(2, "INJECTION"),
        Record(3, "SSH_CONNECT", snippetLength: 90),
        """{"threat_type":"CUSTOM","nested":{"threat_type":"EXFIL"},"list":[1,{"a":[]}]}""",
        """{"no_type":true}""",
        """{"threat_type":7}""",
        "{}",
        "",
        "   ",
        "\r",
        "garbage",
        "[1,2]",
        """{"threat_type":"EXFIL","torn":""",
        """{"a":1}{"b":2}""",
        """{"threat_type":"EXF\u0049L"}""",
    ];

    /// <summary>The behaviour spelled out plainly over the whole text, to compare the block readers with.</summary>
    private static List<string> Records(string text) =>
        [.. text.Split('\n').Select(l => l.Trim(' ', '\t', '\r')).Where(IsObject)];

    private static bool IsObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Dictionary<string, long> Counts(string text) =>
        Records(text)
            .Select(r => JsonDocument.Parse(r).RootElement)
            .Where(r => r.TryGetProperty("threat_type", out var t) && t.ValueKind == JsonValueKind.String)
            .GroupBy(r => r.GetProperty("threat_type").GetString()!)
            .ToDictionary(g => g.Key, g => (long)g.Count());

    private static string Log(IEnumerable<int> kinds, bool finalNewline) =>
        string.Join('\n', kinds.Select(k => LineKinds[((k % LineKinds.Length) + LineKinds.Length) % LineKinds.Length])) + (finalNewline ? "\n" : "");

    [Fact]
    public void Every_block_size_gives_the_same_newest_records()
    {
        var text = Log(Enumerable.Range(0, LineKinds.Length), finalNewline: false);
        var expected = Enumerable.Reverse(Records(text)).ToList();
        int badLines = text.Split('\n').Count(l => !string.IsNullOrWhiteSpace(l) && !IsObject(l.Trim()));

        for (int blockSize = 1; blockSize <= Encoding.UTF8.GetByteCount(text) + 1; blockSize++)
        {
            var warnings = new List<string>();
            var records = ThreatLogReader.ReadNewest(Stream(text), 100, warnings.Add, blockSize);

            Assert.Equal(expected, records);
            Assert.Equal(badLines, warnings.Count);
        }
    }

    [Fact]
    public void Every_block_size_gives_the_same_counts()
    {
        var text = Log(Enumerable.Range(0, LineKinds.Length), finalNewline: false);

        for (int blockSize = 1; blockSize <= Encoding.UTF8.GetByteCount(text) + 1; blockSize++)
        {
            Assert.Equal(Counts(text), ThreatLogReader.CountByType(Stream(text), blockSize));
        }
    }

    [Property(MaxTest = 300)]
    public Property Newest_records_do_not_depend_on_block_size_or_limit(int[] kinds, bool finalNewline, PositiveInt blockSize, NonNegativeInt limit)
    {
        var text = Log(kinds, finalNewline);
        var expected = Enumerable.Reverse(Records(text)).Take(limit.Get).ToList();

        var records = ThreatLogReader.ReadNewest(Stream(text), limit.Get, _ => { }, blockSize.Get);

        return expected.SequenceEqual(records).Label($"block {blockSize.Get}, limit {limit.Get}");
    }

    [Property(MaxTest = 300)]
    public Property Counts_do_not_depend_on_block_size(int[] kinds, bool finalNewline, PositiveInt blockSize)
    {
        var text = Log(kinds, finalNewline);

        var counts = ThreatLogReader.CountByType(Stream(text), blockSize.Get);

        return Counts(text).OrderBy(c => c.Key).SequenceEqual(counts.OrderBy(c => c.Key)).Label($"block {blockSize.Get}");
    }
}
