using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection.Corpus;

/// <summary>
/// The shapes agent traffic takes, each wrapping a piece of content: LLM API requests and responses (OpenAI and
/// Anthropic), tool calls and their results, SSE streams as text, request heads and URLs.
/// </summary>
internal static class Traffic
{
    public delegate (Direction Direction, string Text) Shape(string content, int seed);

    private static readonly string[] Models = ["gpt-4.1", "claude-sonnet-4-5", "gpt-4o-mini", "claude-opus-4-1", "o4-mini"];

    private static string Model(int seed) => Models[seed % Models.Length];

    private static string Id(int seed) => Fakes.Chars(Fakes.Alnum, 24, seed + 7000);

    /// <summary>An OpenAI chat completion request whose last user message holds the content.</summary>
    public static (Direction, string) OpenAiUserMessage(string content, int seed) => (Direction.Outbound,
        $"{{\"model\": \"{Model(seed)}\", \"messages\": [{{\"role\": \"system\", \"content\": \"You are a coding agent. Use the tools to help the user.\"}}, "
        + $"{{\"role\": \"user\", \"content\": {Json.Str(content)}}}], \"tools\": [{{\"type\": \"function\", \"function\": {{\"name\": \"shell\", "
        + "\"parameters\": {\"type\": \"object\", \"properties\": {\"command\": {\"type\": \"string\"}}}}}], \"stream\": true}");

    /// <summary>An OpenAI request sending back a tool's output.</summary>
    public static (Direction, string) OpenAiToolResult(string content, int seed) => (Direction.Outbound,
        $"{{\"model\": \"{Model(seed)}\", \"messages\": [{{\"role\": \"user\", \"content\": \"Check the project setup\"}}, "
        + $"{{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{{\"id\": \"call_{Id(seed)}\", \"type\": \"function\", \"function\": {{\"name\": \"read_file\", \"arguments\": \"{{\\\"path\\\": \\\"notes.txt\\\"}}\"}}}}]}}, "
        + $"{{\"role\": \"tool\", \"tool_call_id\": \"call_{Id(seed)}\", \"content\": {Json.Str(content)}}}]}}");

    /// <summary>An OpenAI response whose tool call carries the content as a shell command (arguments: JSON in a string).</summary>
    public static (Direction, string) OpenAiToolCall(string command, int seed) => (Direction.Inbound,
        $"{{\"id\": \"chatcmpl-{Id(seed)}\", \"object\": \"chat.completion\", \"created\": {1760000000 + seed}, \"model\": \"{Model(seed)}\", "
        + "\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_"
        + Id(seed) + "\", \"type\": \"function\", \"function\": {\"name\": \"shell\", \"arguments\": "
        + Json.Str($"{{\"command\": {Json.Str(command)}}}") + "}}]}, \"finish_reason\": \"tool_calls\"}], "
        + "\"usage\": {\"prompt_tokens\": 812, \"completion_tokens\": 41, \"total_tokens\": 853}}");

    /// <summary>An OpenAI response with the content as the assistant's text.</summary>
    public static (Direction, string) OpenAiAnswer(string content, int seed) => (Direction.Inbound,
        $"{{\"id\": \"chatcmpl-{Id(seed)}\", \"object\": \"chat.completion\", \"model\": \"{Model(seed)}\", \"choices\": [{{\"index\": 0, "
        + $"\"message\": {{\"role\": \"assistant\", \"content\": {Json.Str(content)}}}, \"finish_reason\": \"stop\"}}]}}");

    /// <summary>An Anthropic Messages request with the content as the user's text.</summary>
    public static (Direction, string) AnthropicUserMessage(string content, int seed) => (Direction.Outbound,
        $"{{\"model\": \"{Model(seed + 1)}\", \"max_tokens\": 4096, \"system\": \"You are Claude Code, a coding assistant.\", "
        + $"\"messages\": [{{\"role\": \"user\", \"content\": [{{\"type\": \"text\", \"text\": {Json.Str(content)}}}]}}]}}");

    /// <summary>An Anthropic request returning a tool result.</summary>
    public static (Direction, string) AnthropicToolResult(string content, int seed) => (Direction.Outbound,
        $"{{\"model\": \"{Model(seed + 1)}\", \"max_tokens\": 8192, \"messages\": [{{\"role\": \"user\", \"content\": \"Look around the repo\"}}, "
        + $"{{\"role\": \"assistant\", \"content\": [{{\"type\": \"tool_use\", \"id\": \"toolu_{Id(seed)}\", \"name\": \"bash\", \"input\": {{\"command\": \"cat notes.md\"}}}}]}}, "
        + $"{{\"role\": \"user\", \"content\": [{{\"type\": \"tool_result\", \"tool_use_id\": \"toolu_{Id(seed)}\", \"content\": {Json.Str(content)}}}]}}]}}");

    /// <summary>An Anthropic response asking to run the content as a bash command.</summary>
    public static (Direction, string) AnthropicToolUse(string command, int seed) => (Direction.Inbound,
        $"{{\"id\": \"msg_{Id(seed)}\", \"type\": \"message\", \"role\": \"assistant\", \"model\": \"{Model(seed + 1)}\", \"content\": ["
        + "{\"type\": \"text\", \"text\": \"I'll run that for you.\"}, "
        + $"{{\"type\": \"tool_use\", \"id\": \"toolu_{Id(seed)}\", \"name\": \"bash\", \"input\": {{\"command\": {Json.Str(command)}}}}}], "
        + "\"stop_reason\": \"tool_use\", \"usage\": {\"input_tokens\": 1520, \"output_tokens\": 64}}");

    /// <summary>An Anthropic response with the content as text.</summary>
    public static (Direction, string) AnthropicAnswer(string content, int seed) => (Direction.Inbound,
        $"{{\"id\": \"msg_{Id(seed)}\", \"type\": \"message\", \"role\": \"assistant\", \"content\": [{{\"type\": \"text\", \"text\": {Json.Str(content)}}}], "
        + "\"stop_reason\": \"end_turn\"}");

    /// <summary>
    /// An OpenAI SSE stream as the proxy sees it, the content spread over delta events; the text around
    /// <paramref name="content"/> is split into words, the content itself travels in one delta.
    /// </summary>
    public static (Direction, string) OpenAiStream(string content, int seed)
    {
        var id = Id(seed);
        string[] pieces = ["Sure", ", here", " is what", " I found:\n\n", content, "\n\nLet me", " know if", " you need more."];
        var events = pieces.Select(p =>
            $"data: {{\"id\":\"chatcmpl-{id}\",\"object\":\"chat.completion.chunk\",\"model\":\"{Model(seed)}\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{Json.Str(p, asciiOnly: false)}}},\"finish_reason\":null}}]}}\n\n");
        return (Direction.Inbound, string.Concat(events) + "data: [DONE]\n\n");
    }

    /// <summary>An Anthropic SSE stream, the content in one text delta among others.</summary>
    public static (Direction, string) AnthropicStream(string content, int seed)
    {
        string[] pieces = ["Here", " is the", " result:\n", content, "\nDone", "."];
        var events = pieces.Select((p, i) =>
            "event: content_block_delta\n"
            + $"data: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":{Json.Str(p, asciiOnly: false)}}}}}\n\n");
        return (Direction.Inbound,
            $"event: message_start\ndata: {{\"type\":\"message_start\",\"message\":{{\"id\":\"msg_{Id(seed)}\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"{Model(seed + 1)}\"}}}}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + string.Concat(events)
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    /// <summary>A streamed tool call: the arguments arrive as JSON text in one delta.</summary>
    public static (Direction, string) OpenAiStreamedToolCall(string command, int seed)
    {
        var id = Id(seed);
        var head = $"data: {{\"id\":\"chatcmpl-{id}\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"tool_calls\":[{{\"index\":0,\"id\":\"call_{id}\",\"type\":\"function\",\"function\":{{\"name\":\"shell\",\"arguments\":\"\"}}}}]}}}}]}}\n\n";
        var args = $"data: {{\"id\":\"chatcmpl-{id}\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"tool_calls\":[{{\"index\":0,\"function\":{{\"arguments\":{Json.Str($"{{\"command\": {Json.Str(command)}}}")}}}}}]}}}}]}}\n\n";
        return (Direction.Inbound, head + args + "data: [DONE]\n\n");
    }

    /// <summary>A request head with the content as a header's value.</summary>
    public static (Direction, string) Header(string name, string value, string host = "api.example.net") => (Direction.Outbound,
        $"POST /v1/items HTTP/1.1\r\nHost: {host}\r\nUser-Agent: python-httpx/0.27.0\r\nAccept: application/json\r\n{name}: {value}\r\nContent-Type: application/json\r\nContent-Length: 42\r\n\r\n");

    /// <summary>A request line whose URL carries the content.</summary>
    public static (Direction, string) Url(string pathAndQuery, string host = "files.example.net") => (Direction.Outbound,
        $"GET {pathAndQuery} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: node-fetch/1.0\r\nAccept: */*\r\n\r\n");

    /// <summary>An HTML page fetched by a browsing tool.</summary>
    public static (Direction, string) WebPage(string content, int seed) => (Direction.Inbound,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Release notes " + seed + "</title>"
        + "<link rel=\"stylesheet\" href=\"/css/site.css\"></head><body><nav><a href=\"/\">Home</a> | <a href=\"/docs\">Docs</a></nav>"
        + $"<main><article><h1>Changelog</h1><p>{content}</p></article></main><footer>© 2025</footer></body></html>");

    /// <summary>A request of an agent's web tool posting the content as JSON to some API.</summary>
    public static (Direction, string) ApiPost(string content, int seed) => (Direction.Outbound,
        $"{{\"title\": \"Build log {seed}\", \"body\": {Json.Str(content)}, \"labels\": [\"ci\", \"triage\"], \"assignee\": null}}");

    public static readonly Shape[] Outgoing = [OpenAiUserMessage, OpenAiToolResult, AnthropicUserMessage, AnthropicToolResult, ApiPost];

    public static readonly Shape[] Commands = [OpenAiToolCall, AnthropicToolUse, OpenAiStreamedToolCall];

    public static readonly Shape[] Incoming = [OpenAiAnswer, AnthropicAnswer, OpenAiStream, AnthropicStream, WebPage];
}
