using System.Text;
using ClawSec.Core.Decoding;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClawSec.Core.Tests.Decoding;

public sealed class SseDecoderTests
{
    [Fact]
    public void Data_lines_of_one_event_are_joined_with_newlines()
    {
        var events = SseDecode.All("data: first\ndata: second\n\ndata:third\n\n");

        Assert.Equal([new SseEvent("message", "first\nsecond", ""), new SseEvent("message", "third", "")], events);
    }

    [Fact]
    public void Event_and_id_fields_name_the_type_and_the_last_event_id()
    {
        var events = SseDecode.All("event: content_block_delta\nid: 7\ndata: {}\n\ndata: next\n\nid\ndata: cleared\n\n");

        Assert.Equal(
            [
                new SseEvent("content_block_delta", "{}", "7"),
                new SseEvent("message", "next", "7"),
                new SseEvent("message", "cleared", ""),
            ],
            events);
    }

    [Fact]
    public void Comments_retry_and_unknown_fields_are_ignored()
    {
        var events = SseDecode.All(": keep-alive\nretry: 3000\nfoo: bar\ndata: x\n:comment: data: y\n\n");

        Assert.Equal([new SseEvent("message", "x", "")], events);
    }

    [Fact]
    public void Only_one_space_after_the_colon_is_removed_and_a_line_without_a_colon_is_a_field_name()
    {
        var events = SseDecode.All("data:  two\ndata\ndata:\n\n");

        Assert.Equal([new SseEvent("message", " two\n\n", "")], events);
    }

    [Fact]
    public void An_event_without_data_is_not_dispatched_and_its_type_does_not_leak_into_the_next()
    {
        var events = SseDecode.All("event: ping\n\ndata: a\n\n");

        Assert.Equal([new SseEvent("message", "a", "")], events);
    }

    [Fact]
    public void An_id_containing_nul_is_ignored()
    {
        var events = SseDecode.All("id: 1\n\nid: 2\0x\ndata: a\n\n");

        Assert.Equal("1", Assert.Single(events).LastEventId);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r")]
    [InlineData("\r\n")]
    public void Lines_end_with_cr_lf_or_crlf(string newline)
    {
        var stream = string.Join(newline, "event: e", "data: a", "data: b", "", "data: c", "", "");

        Assert.Equal([new SseEvent("e", "a\nb", ""), new SseEvent("message", "c", "")], SseDecode.All(stream));
    }

    [Fact]
    public void A_crlf_split_between_cr_and_lf_is_one_line_end()
    {
        var first = "data: a\r"u8.ToArray();
        var second = "\ndata: b\r\n\r\n"u8.ToArray();

        var events = SseDecode.Chunks([first, second]);

        Assert.Equal([new SseEvent("message", "a\nb", "")], events);
    }

    [Fact]
    public void Two_carriage_returns_are_a_blank_line()
    {
        Assert.Equal(2, SseDecode.All("data: a\r\rdata: b\r\r").Count);
    }

    [Fact]
    public void A_byte_order_mark_is_skipped_only_at_the_start_of_the_stream()
    {
        var events = SseDecode.Chunks([[0xEF, 0xBB], [0xBF], "data: a\n\n\uFEFFdata: b\n\n"u8.ToArray()]);

        Assert.Equal([new SseEvent("message", "a", "")], events);
    }

    [Fact]
    public void An_event_left_open_at_the_end_of_the_stream_is_still_dispatched()
    {
        Assert.Equal([new SseEvent("message", "a\ntail", "")], SseDecode.All("data: a\ndata: tail"));
    }

    [Fact]
    public void Data_beyond_the_limit_is_dropped()
    {
        var events = SseDecode.Chunks([Encoding.UTF8.GetBytes("data: 0123456789\ndata: abc\n\ndata: ok\n\n")], maxEventChars: 12);

        Assert.Equal(["0123456789\na", "ok"], events.Select(e => e.Data));
    }

    [Fact]
    public void Splitting_the_stream_at_any_offset_gives_the_same_events()
    {
        var stream = Encoding.UTF8.GetBytes(
            "\uFEFF: hi\r\nevent: content_block_delta\r\nid: 1\r\ndata: {\"text\":\"héllo 😀\"}\r\n\r\ndata: a\rdata: b\r\r"
            + "data: c\ndata:d\n\ndata: open");
        var expected = SseDecode.All(stream);
        Assert.Equal(4, expected.Count);

        for (int offset = 0; offset <= stream.Length; offset++)
        {
            Assert.Equal(expected, SseDecode.SplitAt(stream, offset));
        }

        Assert.Equal(expected, SseDecode.Chunks(stream.Select(b => new[] { b })));
    }

    [Property(MaxTest = 100)]
    public Property Random_events_decode_to_the_originals_however_written_and_chunked(NonNull<string>[] data, int seed)
    {
        var random = new Random(seed);
        string[] newlines = ["\n", "\r", "\r\n"];
        var stream = new StringBuilder();
        var expected = new List<SseEvent>();
        foreach (var text in data.Select(d => d.Get))
        {
            // Lines of data cannot contain line ends, so each line of the text becomes one data: line.
            var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\r', '\n');
            var type = random.Next(2) == 0 ? "message" : $"t{random.Next(5)}";
            if (type != "message")
            {
                stream.Append($"event:{type}").Append(newlines[random.Next(3)]);
            }

            if (random.Next(4) == 0)
            {
                stream.Append(": comment").Append(newlines[random.Next(3)]);
            }

            foreach (var line in lines)
            {
                // One space after the colon is dropped, so a line that starts with one needs another in front.
                var prefix = random.Next(2) == 0 && !line.StartsWith(' ') ? "data:" : "data: ";
                stream.Append(prefix).Append(line).Append(newlines[random.Next(3)]);
            }

            // A blank line after a CR must not be written as a lone LF, which would join the CR into a CRLF.
            var blank = newlines[random.Next(3)];
            stream.Append(stream[^1] == '\r' && blank == "\n" ? "\r" : blank);
            expected.Add(new SseEvent(type, string.Join('\n', lines), ""));
        }

        var bytes = Encoding.UTF8.GetBytes(stream.ToString());
        var actual = SseDecode.Chunks(ContentDecode.RandomChunks(bytes, random));

        return expected.Select(e => e with { Data = Utf8RoundTrip(e.Data) }).SequenceEqual(actual).Label($"seed {seed}");
    }

    private static string Utf8RoundTrip(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
}
