namespace ClawSec.Core.Decoding;

/// <summary>How a <see cref="BodyDecoder"/> turns a body into text, chosen from its <c>Content-Type</c>.</summary>
public enum BodyFormat
{
    /// <summary>Any other or no content type: the text as it is (JSON-looking text still has its strings unescaped).</summary>
    Text,

    /// <summary><c>application/json</c>, <c>*+json</c> and the JSON-lines types: strings unescaped in place.</summary>
    Json,

    /// <summary><c>text/event-stream</c>: events split, streamed deltas joined.</summary>
    EventStream,

    /// <summary><c>application/x-www-form-urlencoded</c>: one decoded <c>name=value</c> line per field.</summary>
    Form,
}
