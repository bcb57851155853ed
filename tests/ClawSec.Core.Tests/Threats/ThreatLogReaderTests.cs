using System.Text;
using ClawSec.Core.Threats;
using static ClawSec.Core.Tests.Threats.ThreatLog;

namespace ClawSec.Core.Tests.Threats;

public sealed class ThreatLogReaderTests
{
    private readonly List<string> _warnings = [];

    private IReadOnlyList<string> ReadNewest(Stream stream, int limit) => ThreatLogReader.ReadNewest(stream, limit, _warnings.Add);

    [Fact]
    public void An_empty_log_has_no_threats()
    {
        Assert.Empty(ReadNewest(Stream(""), 10));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void The_newest_records_come_first()
    {
        var records = ReadNewest(Lines(Record(1), Record(2), Record(3)), 10);

        Assert.Equal([Record(3), Record(2), Record(1)], records);
        Assert.Empty(_warnings);
    }

    [Fact]
    public void A_limit_smaller_than_the_count_keeps_the_newest()
    {
        Assert.Equal([Record(5), Record(4)], ReadNewest(Lines([.. Enumerable.Range(1, 5).Select(i => Record(i))]), 2));
    }

    [Fact]
    public void A_limit_larger_than_the_count_returns_them_all()
    {
        Assert.Equal(3, ReadNewest(Lines(Record(1), Record(2), Record(3)), 100).Count);
    }

    [Fact]
    public void A_limit_of_zero_reads_nothing()
    {
        var stream = new CountingStream(Encoding.UTF8.GetBytes(Record(1) + "\n"));

        Assert.Empty(ReadNewest(stream, 0));
        Assert.Equal(0, stream.BytesRead);
    }

    [Fact]
    public void A_negative_limit_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadNewest(Lines(Record(1)), -1));
    }

    [Fact]
    public void A_last_line_without_a_newline_is_returned_when_it_is_whole()
    {
        Assert.Equal([Record(2), Record(1)], ReadNewest(Stream(Record(1) + "\n" + Record(2)), 10));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void A_torn_last_line_is_skipped_with_a_warning_and_the_rest_is_returned()
    {
        var whole = Record(1) + "\n" + Record(2) + "\n";
        var torn = Record(3)[..40];

        var records = ReadNewest(Stream(whole + torn), 10);

        Assert.Equal([Record(2), Record(1)], records);
        var warning = Assert.Single(_warnings);
        Assert.Equal($"threats.jsonl: skipped an incomplete last line at byte {Encoding.UTF8.GetByteCount(whole)}", warning);
    }

    [Fact]
    public void A_torn_last_line_does_not_count_against_the_limit()
    {
        Assert.Equal([Record(2)], ReadNewest(Stream(Record(1) + "\n" + Record(2) + "\n" + Record(3)[..40]), 1));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("[1, 2]")]
    [InlineData("\"a string\"")]
    [InlineData("{\"a\": 1} {\"b\": 2}")]
    [InlineData("{\"a\": 1}}")]
    [InlineData("{\"a\": 1, }")]
    [InlineData("{\"a\": 1 /* comment */}")]
    public void A_line_that_is_not_one_json_object_is_skipped_with_a_warning(string line)
    {
        var records = ReadNewest(Lines(Record(1), line, Record(2)), 10);

        Assert.Equal([Record(2), Record(1)], records);
        Assert.StartsWith("threats.jsonl: skipped a line that is not a JSON object at byte ", Assert.Single(_warnings));
    }

    [Fact]
    public void A_line_with_invalid_utf8_is_skipped()
    {
        var bytes = Encoding.UTF8.GetBytes(Record(1) + "\n{\"snippet\":\"\u00e9\"}\n").ToArray();
        Array.Copy(new byte[] { 0xC3, 0x28 }, 0, bytes, Array.LastIndexOf(bytes, (byte)0xC3), 2);

        Assert.Equal([Record(1)], ReadNewest(new MemoryStream(bytes), 10));
        Assert.Single(_warnings);
    }

    [Fact]
    public void Non_ascii_text_is_returned_intact()
    {
        var record = """{"threat_type":"EXFIL","snippet":"clé secrète ✓ 🔑"}""";

        Assert.Equal([record], ReadNewest(Lines(record), 10));
    }

    [Fact]
    public void Blank_lines_are_ignored_silently()
    {
        Assert.Equal([Record(2), Record(1)], ReadNewest(Stream("\n" + Record(1) + "\n\n  \n\r\n" + Record(2) + "\n\n"), 10));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void Crlf_line_ends_are_tolerated_and_trimmed()
    {
        var records = ReadNewest(Stream(Record(1) + "\r\n" + Record(2) + "\r\n"), 10);

        Assert.Equal([Record(2), Record(1)], records);
        Assert.Empty(_warnings);
    }

    [Fact]
    public void A_byte_order_mark_at_the_start_is_ignored()
    {
        Assert.Equal([Record(1)], ReadNewest(Stream("\uFEFF" + Record(1) + "\n"), 10));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void Lines_longer_than_a_block_are_read_whole()
    {
        var lines = new[] { Record(1, snippetLength: 200_000), Record(2), Record(3, snippetLength: 70_000) };

        var records = ReadNewest(Lines(lines), 10);

        Assert.Equal(lines.Reverse(), records);
        Assert.Empty(_warnings);
    }

    [Fact]
    public void A_line_longer_than_any_record_is_skipped_unread()
    {
        var giant = Record(2, snippetLength: ThreatLogReader.MaxLineBytes + 1);

        var records = ReadNewest(Lines(Record(1), giant, Record(3)), 10);

        Assert.Equal([Record(3), Record(1)], records);
        Assert.Contains("longer than any threat record", Assert.Single(_warnings));
    }

    [Fact]
    public void Only_the_tail_of_a_large_log_is_read()
    {
        var log = new StringBuilder();
        int count = 0;
        while (log.Length < 50 * 1024 * 1024)
        {
            log.Append(Record(++count, snippetLength: 150)).Append('\n');
        }

        var stream = new CountingStream(Encoding.UTF8.GetBytes(log.ToString()));

        var records = ReadNewest(stream, 10);

        Assert.Equal(Enumerable.Range(count - 9, 10).Reverse().Select(i => Record(i, snippetLength: 150)), records);
        Assert.InRange(stream.BytesRead, 1, ThreatLogReader.DefaultBlockSize);
    }

    [Fact]
    public void A_stream_that_cannot_seek_is_refused()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream();

        Assert.Throws<ArgumentException>(() => ReadNewest(pipe, 1));
    }

    [Fact]
    public void A_file_stream_is_named_by_its_path_in_warnings()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"threats-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllText(path, Record(1) + "\nnot json\n");
            using var file = File.OpenRead(path);

            Assert.Equal([Record(1)], ReadNewest(file, 10));
            Assert.StartsWith($"{path}: skipped", Assert.Single(_warnings));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Many_bad_lines_give_a_few_warnings_and_a_count()
    {
        var lines = Enumerable.Range(0, 20).Select(i => $"bad {i}").Prepend(Record(1)).ToArray();

        Assert.Equal([Record(1)], ReadNewest(Lines(lines), 10));
        Assert.Equal(6, _warnings.Count);
        Assert.Equal("threats.jsonl: skipped 15 more lines that are not JSON objects", _warnings[^1]);
    }
}
