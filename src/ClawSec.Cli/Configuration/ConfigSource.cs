using System.Collections;
using ClawSec.Core.Configuration;

namespace ClawSec.Cli.Configuration;

/// <summary>Reads the configuration for a command: <c>--config FILE</c> (or <c>CLAWSEC_CONFIG</c>), then the environment.</summary>
internal static class ConfigSource
{
    public static ClawSecConfig Load(string? path, TextWriter stderr)
    {
        var environment = Environment.GetEnvironmentVariables()
            .Cast<DictionaryEntry>()
            .Where(e => e.Key is string k && (k.StartsWith("CLAWSEC_", StringComparison.Ordinal) || k == "HOME"))
            .ToDictionary(e => (string)e.Key, e => e.Value as string ?? "", StringComparer.Ordinal);
        path ??= environment.GetValueOrDefault("CLAWSEC_CONFIG") is { Length: > 0 } fromEnv ? fromEnv : null;

        string? json = null;
        if (path is not null)
        {
            try
            {
                json = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"{path}: cannot read the configuration file: {ex.Message}");
            }
        }

        var result = ConfigLoader.Load(json, path, environment);
        foreach (var warning in result.Warnings)
        {
            stderr.WriteLine("clawsec: warning: " + warning);
        }

        return result.Config;
    }
}
