using System.Text.Json;

namespace ClawSec.Core.Decoding;

/// <summary>
/// What one streamed event of an LLM API adds to the streams it is building: pieces of text (message text,
/// reasoning, tool-call arguments) each for a stream named by a key, and the streams it ends. Keys end with
/// <c>/</c> so that a key is never the prefix of another stream's key by accident.
/// </summary>
/// <remarks>
/// Shapes understood, as streamed in 2025:
/// <list type="bullet">
/// <item>Anthropic Messages: <c>content_block_delta</c> with <c>text_delta.text</c>,
/// <c>input_json_delta.partial_json</c> or <c>thinking_delta.thinking</c> per block <c>index</c>, ended by
/// <c>content_block_stop</c> and <c>message_stop</c>.</item>
/// <item>OpenAI Chat Completions: <c>choices[].delta.content</c>, <c>reasoning_content</c>, <c>reasoning</c>,
/// <c>refusal</c>, <c>tool_calls[].function.arguments</c> per choice and tool-call <c>index</c>,
/// <c>function_call.arguments</c>, and the legacy completions' <c>choices[].text</c>; a
/// <c>finish_reason</c> ends the choice's streams.</item>
/// <item>OpenAI Responses: any <c>*.delta</c> event with a string <c>delta</c>, per output, content and summary
/// index; the matching <c>*.done</c> ends the stream and repeats its whole text.</item>
/// <item>Gemini: <c>candidates[].content.parts[].text</c> per candidate, ended by a <c>finishReason</c>.</item>
/// </list>
/// Anything else in an event, or an event of another shape, is to be passed on whole (<see cref="PassOn"/>).
/// </remarks>
internal sealed class SseDeltas
{
    private static readonly string[] ChatDeltaFields = ["content", "reasoning_content", "reasoning", "refusal"];
    private static readonly string[] AnthropicDeltaFields = ["partial_json", "text", "thinking"];

    public List<(string Key, string Text)> Fragments { get; } = [];

    /// <summary>Prefixes of the keys of the streams that end with this event.</summary>
    public List<string> Closes { get; } = [];

    /// <summary>
    /// The key of a stream whose whole text this event repeats, as a Responses <c>*.done</c> event does: the event
    /// is dropped if that stream was seen, and passed on otherwise.
    /// </summary>
    public string? Repeats { get; private set; }

    /// <summary>The event holds more than deltas (or is of a shape not understood), so it is to be passed on whole.</summary>
    public bool PassOn { get; private set; }

    /// <summary>Reads one event's parsed data, replacing what the previous event left here.</summary>
    public void Read(JsonElement root)
    {
        Fragments.Clear();
        Closes.Clear();
        Repeats = null;
        PassOn = false;

        if (root.ValueKind != JsonValueKind.Object)
        {
            PassOn = true;
        }
        else if (String(root, "type") is { } type)
        {
            ReadTyped(root, type);
        }
        else if (Array(root, "choices") is { } choices)
        {
            ReadChoices(choices);
        }
        else if (Array(root, "candidates") is { } candidates)
        {
            ReadCandidates(candidates);
        }
        else
        {
            PassOn = true;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static JsonElement? Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : null;

    private static JsonElement? Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : null;

    private static int? Index(JsonElement element, string name = "index") =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt32(out int index)
            ? index
            : null;

    private void ReadTyped(JsonElement root, string type)
    {
        switch (type)
        {
            case "content_block_delta":
                var text = Object(root, "delta") is { } delta ? AnthropicDeltaFields.Select(f => String(delta, f)).FirstOrDefault(t => t is not null) : null;
                if (Index(root) is { } index && text is not null)
                {
                    Fragments.Add(($"content_block/{index}/", text));
                }
                else
                {
                    // Signatures, citations and deltas yet to be invented are kept, just not joined.
                    PassOn = true;
                }

                return;
            case "content_block_stop":
                if (Index(root) is { } stopped)
                {
                    Closes.Add($"content_block/{stopped}/");
                }

                return;
            case "message_stop":
                Closes.Add("content_block/");
                return;
            case "ping":
                return;
            case "response.completed" or "response.incomplete" or "response.failed":
                // These repeat the whole response, which is worth scanning as it is: it need not match the deltas.
                Closes.Add("response.");
                PassOn = true;
                return;
        }

        if (type.EndsWith(".delta", StringComparison.Ordinal) && String(root, "delta") is { } piece)
        {
            Fragments.Add((ResponsesKey(type[..^".delta".Length], root), piece));
        }
        else if (type.EndsWith(".done", StringComparison.Ordinal))
        {
            var key = ResponsesKey(type[..^".done".Length], root);
            Closes.Add(key);
            Repeats = key;
        }
        else
        {
            PassOn = true;
        }
    }

    private static string ResponsesKey(string stream, JsonElement root) =>
        $"{stream}/{Index(root, "output_index")}/{Index(root, "content_index")}/{Index(root, "summary_index")}/";

    private void ReadChoices(JsonElement choices)
    {
        // Only streamed chunks are joined; a whole completion (with "message") is passed on as it is.
        if (choices.EnumerateArray().Any(c => Object(c, "delta") is null && String(c, "text") is null))
        {
            PassOn = true;
            return;
        }

        int position = 0;
        foreach (var choice in choices.EnumerateArray())
        {
            var prefix = $"choice/{Index(choice) ?? position}/";
            position++;
            if (Object(choice, "delta") is { } delta)
            {
                foreach (var field in ChatDeltaFields)
                {
                    if (String(delta, field) is { } text)
                    {
                        Fragments.Add(($"{prefix}{(field == "reasoning_content" ? "reasoning" : field)}/", text));
                    }
                }

                ReadToolCalls(delta, prefix);
            }
            else if (String(choice, "text") is { } text)
            {
                Fragments.Add(($"{prefix}text/", text));
            }

            if (String(choice, "finish_reason") is not null)
            {
                Closes.Add(prefix);
            }
        }
    }

    private void ReadToolCalls(JsonElement delta, string prefix)
    {
        if (Array(delta, "tool_calls") is { } toolCalls)
        {
            int position = 0;
            foreach (var call in toolCalls.EnumerateArray())
            {
                var key = $"{prefix}tool_call/{Index(call) ?? position}/";
                position++;
                if (Object(call, "function") is { } function && String(function, "arguments") is { } arguments)
                {
                    Fragments.Add((key, arguments));
                }
            }
        }

        if (Object(delta, "function_call") is { } functionCall && String(functionCall, "arguments") is { } legacyArguments)
        {
            Fragments.Add(($"{prefix}function_call/", legacyArguments));
        }
    }

    private void ReadCandidates(JsonElement candidates)
    {
        int position = 0;
        foreach (var candidate in candidates.EnumerateArray())
        {
            var key = $"candidate/{Index(candidate) ?? position}/";
            position++;
            var parts = Object(candidate, "content") is { } content ? Array(content, "parts") : null;
            foreach (var part in parts?.EnumerateArray().ToArray() ?? [])
            {
                if (String(part, "text") is { } text)
                {
                    Fragments.Add((key, text));
                }

                if (part.ValueKind != JsonValueKind.Object
                    || part.EnumerateObject().Any(p => p.Name is not ("text" or "thought" or "thoughtSignature")))
                {
                    // Function calls and results come whole, not as deltas; they are scanned as they are.
                    PassOn = true;
                }
            }

            if (String(candidate, "finishReason") is not null)
            {
                Closes.Add(key);
            }
        }
    }
}
