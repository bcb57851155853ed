using System.Text.Json.Serialization;

namespace ClawSec.Core.Threats;

/// <summary>
/// One line of <c>threats.jsonl</c>. The first eight properties are the contract of PRODUCT.md and are never
/// renamed; <c>severity</c>, <c>request_id</c>, <c>pid</c> and <c>process</c> were added after.
/// </summary>
public sealed record Threat
{
    [JsonPropertyName("direction")] public required string Direction { get; init; }
    [JsonPropertyName("protocol")] public required string Protocol { get; init; }
    [JsonPropertyName("threat_type")] public required string ThreatType { get; init; }
    [JsonPropertyName("pattern")] public required string Pattern { get; init; }
    [JsonPropertyName("snippet")] public required string Snippet { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("dest")] public required string Dest { get; init; }
    [JsonPropertyName("timestamp")] public required string Timestamp { get; init; }
    [JsonPropertyName("severity")] public string? Severity { get; init; }
    [JsonPropertyName("request_id")] public string? RequestId { get; init; }

    /// <summary>The local process behind the connection, where the OS lets us see it (SSH_CONNECT).</summary>
    [JsonPropertyName("pid")] public int? Pid { get; init; }

    [JsonPropertyName("process")] public string? Process { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Threat))]
public sealed partial class ThreatJsonContext : JsonSerializerContext;
