using System.Text.Json;
using ClawSec.Cli.Configuration;
using ClawSec.Cli.State;
using ClawSec.Core.Configuration;

namespace ClawSec.Cli.Commands;

/// <summary><c>clawsec status</c>: RUNNING (PID n) with address, MITM and threat counts, or STOPPED; then the 5 newest threats.</summary>
internal static class StatusCommand
{
    private static readonly string[] Types = ["EXFIL", "INJECTION", "SSH_CONNECT"];

    public static int Run(string? configPath, TextWriter stdout, TextWriter stderr)
    {
        ClawSecConfig config;
        try
        {
            config = ConfigSource.Load(configPath, stderr);
        }
        catch (ConfigException ex)
        {
            stderr.WriteLine("clawsec: config error: " + ex.Message);
            return ExitCodes.Usage;
        }

        var pid = PidFile.ReadRunning(config.LogDir);
        if (pid is int running)
        {
            stdout.WriteLine($"RUNNING (PID {running})");
            var state = StateFile.Read(config.LogDir);
            if (state is not null && state.Pid == running)
            {
                stdout.WriteLine($"Listening on {string.Join(", ", state.Listen)}");
                stdout.WriteLine(state.Mitm ? "MITM ON" : "MITM OFF");
                stdout.WriteLine($"Started {state.StartedAt}");
            }
        }
        else
        {
            stdout.WriteLine("STOPPED");
        }

        var counts = ThreatLog.Counts(config.LogDir);
        var total = counts.Values.Sum();
        stdout.WriteLine($"Threats: {total} ({string.Join(", ", Types.Select(t => $"{t} {counts.GetValueOrDefault(t)}"))})");
        var newest = ThreatLog.Newest(config.LogDir, 5, stderr);
        if (newest.Count > 0)
        {
            stdout.WriteLine("Newest threats:");
            foreach (var line in newest)
            {
                stdout.WriteLine("  " + Summarize(line));
            }
        }

        return pid is null ? ExitCodes.NotRunning : ExitCodes.Ok;
    }

    private static string Summarize(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        string Get(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "-";
        var snippet = Get("snippet").ReplaceLineEndings(" ");
        if (snippet.Length > 80)
        {
            snippet = snippet[..77] + "...";
        }

        return $"{Get("timestamp")}  {Get("threat_type"),-9} {Get("pattern"),-16} {Get("direction"),-8} {Get("protocol"),-5} {Get("dest")}  {snippet}";
    }
}
