using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Runs an event stream through an <see cref="SseDecoder"/> and an <see cref="SseJsonDeltaJoiner"/>.</summary>
internal static class SseJoin
{
    private static readonly JsonSerializerOptions AsApisWriteIt = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Text(string stream, long maxHeldChars = SseJsonDeltaJoiner.DefaultMaxHeldChars) =>
        Chunks([Encoding.UTF8.GetBytes(stream)], maxHeldChars);

    public static string Chunks(IEnumerable<byte[]> chunks, long maxHeldChars = SseJsonDeltaJoiner.DefaultMaxHeldChars)
    {
        var sink = new TextRecorder();
        var joiner = new SseJsonDeltaJoiner(sink, maxHeldChars);
        var decoder = new SseDecoder(joiner);
        foreach (var chunk in chunks)
        {
            decoder.Push(chunk);
        }

        decoder.Complete();
        joiner.Complete();
        Assert.Empty(sink.ContractViolations);
        return sink.Text;
    }

    /// <summary>One event carrying the given object as JSON, escaped the way the APIs do it (<c>\"</c>, not <c>\u0022</c>).</summary>
    public static string Event(object data, string? type = null) =>
        (type is null ? "" : $"event: {type}\n") + $"data: {JsonSerializer.Serialize(data, AsApisWriteIt)}\n\n";

    public static string OpenAiToolArguments(int toolIndex, string arguments, int choice = 0) => Event(new
    {
        id = "chatcmpl-B9",
        @object = "chat.completion.chunk",
        model = "gpt-4o",
        choices = new[] { new { index = choice, delta = new { tool_calls = new[] { new { index = toolIndex, function = new { arguments } } } }, finish_reason = (string?)null } },
    });

    public static string OpenAiContent(string content, int choice = 0) => Event(new
    {
        id = "chatcmpl-B9",
        @object = "chat.completion.chunk",
        choices = new[] { new { index = choice, delta = new { content }, finish_reason = (string?)null } },
    });

    public static string OpenAiFinish(string reason, int choice = 0) => Event(new
    {
        id = "chatcmpl-B9",
        @object = "chat.completion.chunk",
        choices = new[] { new { index = choice, delta = new { }, finish_reason = reason } },
    });

    public static string AnthropicInputJson(int index, string partialJson) =>
        Event(new { type = "content_block_delta", index, delta = new { type = "input_json_delta", partial_json = partialJson } }, "content_block_delta");

    public static string AnthropicText(int index, string text) =>
        Event(new { type = "content_block_delta", index, delta = new { type = "text_delta", text } }, "content_block_delta");

    public static string AnthropicStop(int index) => Event(new { type = "content_block_stop", index }, "content_block_stop");

    public static string AnthropicPing => "event: ping\ndata: {\"type\": \"ping\"}\n\n";
}
