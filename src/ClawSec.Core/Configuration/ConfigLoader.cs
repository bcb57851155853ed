namespace ClawSec.Core.Configuration;

/// <summary>What loading produced: the settings and the warnings to print on stderr (unknown keys, …).</summary>
public sealed record ConfigLoadResult(ClawSecConfig Config, IReadOnlyList<string> Warnings);

/// <summary>A bad configuration: the message is one line naming the file (or variable), the key and the problem.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>Pure: defaults → JSON text → environment variables. Reading the file is the caller's job.</summary>
public static class ConfigLoader
{
    /// <param name="json">The file's text, or null when no file was given.</param>
    /// <param name="path">The file's path, for messages.</param>
    /// <param name="environment">The process environment (only <c>CLAWSEC_*</c> entries are read).</param>
    public static ConfigLoadResult Load(string? json, string? path, IReadOnlyDictionary<string, string> environment)
    {
        _ = json;
        _ = environment;
        return new ConfigLoadResult(new ClawSecConfig { SourcePath = path }, []);
    }
}
