using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClawSec.Cli.State;

/// <summary><c>state.json</c>: what <c>status</c> shows about a running monitor, written at start.</summary>
internal sealed record MonitorState
{
    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("listen")] public IReadOnlyList<string> Listen { get; init; } = [];
    [JsonPropertyName("mitm")] public bool Mitm { get; init; }
    [JsonPropertyName("started_at")] public string StartedAt { get; init; } = "";
    [JsonPropertyName("version")] public string Version { get; init; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(MonitorState))]
internal sealed partial class StateJsonContext : JsonSerializerContext;

internal static class StateFile
{
    public const string FileName = "state.json";

    public static string PathIn(string logDir) => Path.Combine(logDir, FileName);

    public static void Write(string logDir, MonitorState state)
    {
        var path = PathIn(logDir);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(state, StateJsonContext.Default.MonitorState));
        File.Move(temp, path, overwrite: true);
    }

    public static MonitorState? Read(string logDir)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(PathIn(logDir)), StateJsonContext.Default.MonitorState);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public static void RemoveIfOwn(string logDir, int pid)
    {
        if (Read(logDir)?.Pid == pid)
        {
            File.Delete(PathIn(logDir));
        }
    }
}
