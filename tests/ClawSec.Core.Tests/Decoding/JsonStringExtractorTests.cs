using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClawSec.Core.Tests.Decoding;

public sealed class JsonStringExtractorTests
{
    private const string Key = "sk-ant-api03-Zx9Qm2Lr7Tv4Wb8Nc1Hd6Jf3Kg5Ps0Ye";

    [Fact]
    public void Every_json_escape_is_undone_in_place()
    {
        const string json = """{"text":"a\"b\\c\/d\be\ff\ng\rh\ti \u00e9 \u20AC \ud83d\ude00"}""";

        Assert.Equal("{\"text\":\"a\"b\\c/d\be\ff\ng\rh\ti é € 😀\"}", JsonExtract.All(json));
    }

    [Fact]
    public void Keys_numbers_and_literals_between_strings_are_kept()
    {
        const string json = """[{"password" : "hunter2", "n": -1.5e3, "ok": true, "none": null}]""";

        Assert.Equal(json, JsonExtract.All(json));
    }

    [Fact]
    public void A_secret_spelled_with_unicode_escapes_comes_out_plain()
    {
        var json = "{\"k\":\"" + string.Concat(Key.Select(c => $"\\u{(int)c:x4}")) + "\"}";

        Assert.Contains(Key, JsonExtract.All(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_inside_a_json_string_is_unescaped_too()
    {
        var json = """{"type":"function","arguments":"{\"key\":\"sk-ant-api03-Zx9Qm2Lr7Tv4Wb8Nc1Hd6Jf3Kg5Ps0Ye\",\"cmd\":\"echo \\\"hi\\\"\\nrm -rf ~\"}"}""";

        Assert.Equal(
            "{\"type\":\"function\",\"arguments\":\"{\"key\":\"" + Key + "\",\"cmd\":\"echo \"hi\"\nrm -rf ~\"}\"}",
            JsonExtract.All(json));
    }

    [Fact]
    public void Json_nested_three_levels_deep_comes_out_plain()
    {
        var inner = JsonSerializer.Serialize(new { token = Key, note = "line1\nline2" });
        var middle = JsonSerializer.Serialize(new { arguments = inner });
        var outer = JsonSerializer.Serialize(new { tool_call = middle });
        Assert.DoesNotContain("\"token\":", outer, StringComparison.Ordinal);

        var text = JsonExtract.All(outer);

        Assert.Contains("\"token\":\"" + Key + "\"", text, StringComparison.Ordinal);
        Assert.Contains("line1\nline2", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_that_merely_contains_quotes_is_not_taken_for_json()
    {
        const string json = """{"msg":"He said \"C:\\new\" twice"}""";

        Assert.Equal("{\"msg\":\"He said \"C:\\new\" twice\"}", JsonExtract.All(json));
    }

    [Theory]
    [InlineData("plain text with \\n and \"quotes\"")]
    [InlineData("  <html>{\"a\":\"\\n\"}</html>")]
    [InlineData("")]
    [InlineData("   ")]
    public void Text_that_is_not_json_passes_through_unchanged(string text)
    {
        Assert.Equal(text, JsonExtract.All(text));
    }

    [Fact]
    public void Text_after_the_json_stops_being_json_passes_through_from_there()
    {
        const string text = """{"a":"x\ty"} trailing "words\n" here""";

        Assert.Equal("{\"a\":\"x\ty\"} trailing \"words\\n\" here", JsonExtract.All(text));
    }

    [Fact]
    public void Newline_delimited_json_is_decoded_record_by_record()
    {
        const string ndjson = "{\"a\":\"1\\n\"}\n{\"b\":\"\\u0032\"}\n";

        Assert.Equal("{\"a\":\"1\n\"}\n{\"b\":\"2\"}\n", JsonExtract.All(ndjson));
    }

    [Theory]
    [InlineData("""{"a":"\x41"}""", "{\"a\":\"\\x41\"}")]
    [InlineData("""{"a":"\u12G4"}""", "{\"a\":\"\\u12G4\"}")]
    [InlineData("""{"a":"\u12""", "{\"a\":\"\\u12")]
    [InlineData("""{"a":"end\""", "{\"a\":\"end\\")]
    [InlineData("""{"a":"unterminated""", "{\"a\":\"unterminated")]
    public void Broken_escapes_and_strings_are_kept_as_written(string json, string expected)
    {
        Assert.Equal(expected, JsonExtract.All(json));
    }

    [Fact]
    public void Escapes_and_surrogate_pairs_split_at_any_offset_give_the_same_output()
    {
        var json = """{"k":"\ud83d\ude00 \u0041\n","args":"{\"t\":\"\\ud83d\\ude00 \\\"x\\\"\"}"}""";
        var expected = JsonExtract.All(json);
        Assert.Equal("{\"k\":\"😀 A\n\",\"args\":\"{\"t\":\"😀 \"x\"\"}\"}", expected);

        for (int offset = 0; offset <= json.Length; offset++)
        {
            Assert.Equal(expected, JsonExtract.SplitAt(json, offset));
        }

        Assert.Equal(expected, JsonExtract.Chunks(json.Select(c => c.ToString())));
    }

    [Fact]
    public void Long_strings_pass_through_in_large_chunks_without_cutting_a_surrogate_pair()
    {
        var json = "{\"a\":\"" + new string('x', 4095) + "😀" + new string('y', 10_000) + "\"}";

        Assert.Equal(json, JsonExtract.Chunks([json[..5000], json[5000..]]));
    }

    [Property(MaxTest = 150)]
    public Property Serialized_strings_come_out_unescaped_however_the_json_is_chunked(NonNull<string>[] values, int seed)
    {
        var random = new Random(seed);
        var document = values.Select((v, i) => (Key: $"k{i}", Value: v.Get))
            .ToDictionary(p => p.Key, p => random.Next(3) == 0 ? JsonSerializer.Serialize(new { nested = p.Value }) : p.Value);
        var json = JsonSerializer.Serialize(document);

        var whole = JsonExtract.All(json);
        var chunked = JsonExtract.Chunks(JsonExtract.RandomChunks(json, random));

        // Strings that are themselves JSON are decoded again, so a value reads plain in the output either way.
        var allPlain = values.Select(v => v.Get).Where(Comparable).All(v => whole.Contains(v, StringComparison.Ordinal));
        return (whole == chunked && allPlain).Label($"seed {seed}: {json}");
    }

    /// <summary>
    /// A value is expected back verbatim unless it has lone surrogates (which cannot be serialized faithfully) or
    /// looks like JSON itself (whose own escapes are then undone too).
    /// </summary>
    private static bool Comparable(string value) =>
        Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value)) == value && value.TrimStart(' ', '\t', '\r', '\n', '\uFEFF') is not ['{' or '[', ..];
}
