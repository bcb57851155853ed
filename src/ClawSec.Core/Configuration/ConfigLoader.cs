using System.Text.Json;

namespace ClawSec.Core.Configuration;

/// <summary>Pure: defaults → JSON text → environment variables. Reading the file is the caller's job.</summary>
public static class ConfigLoader
{
    private const string EnvironmentPrefix = "CLAWSEC_";

    /// <summary>Read by the command line to find the file, so not a setting but not unknown either.</summary>
    private const string ConfigFileVariable = "CLAWSEC_CONFIG";

    /// <summary>The variable other tools name this way; it sets <c>upstream_ca_file</c>.</summary>
    private const string UpstreamCaVariable = "CLAWSEC_UPSTREAM_CA";

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Variable name → key, e.g. <c>CLAWSEC_LOG_LEVEL</c> → <c>log_level</c>.</summary>
    private static readonly Dictionary<string, string> KeyByVariable =
        ConfigKeys.Setters.Keys.ToDictionary(key => EnvironmentPrefix + key.ToUpperInvariant(), StringComparer.Ordinal);

    /// <param name="json">The file's text, or null when no file was given.</param>
    /// <param name="path">The file's path, for messages.</param>
    /// <param name="environment">The process environment (only <c>CLAWSEC_*</c> entries are read).</param>
    /// <exception cref="ConfigException">The file or a variable is malformed or holds a bad value.</exception>
    public static ConfigLoadResult Load(string? json, string? path, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var warnings = new List<string>();
        var context = new LoadContext(environment.GetValueOrDefault("HOME"), warnings);
        var config = new ClawSecConfig { SourcePath = path };
        if (json is not null)
        {
            config = ApplyFile(config, json, path ?? "configuration file", context);
        }

        config = Apply(config, ReadEnvironment(environment, warnings), context);
        return new ConfigLoadResult(config, warnings);
    }

    internal static string UnknownKeyWarning(string where, string key, IEnumerable<string> known)
    {
        var warning = $"{where}: unknown key {Messages.Quote(key)} ignored";
        return Messages.Suggest(key, known) is { } suggestion ? $"{warning} (did you mean \"{suggestion}\"?)" : warning;
    }

    private static ClawSecConfig ApplyFile(ClawSecConfig config, string json, string source, LoadContext context)
    {
        // File.ReadAllText drops a byte order mark, but a caller decoding the bytes another way might not.
        json = json.TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new ConfigException($"{source}: not valid JSON: the file is empty (a JSON object is expected, {{}} at least)");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{source}: not valid JSON: {JsonErrors.Describe(e)}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonSettingValue("", source, root).Invalid("must hold a JSON object ({ \"key\": value, … })");
            }

            var values = new List<SettingValue>();
            foreach (var property in root.EnumerateObject())
            {
                if (!ConfigKeys.Setters.ContainsKey(property.Name))
                {
                    context.Warnings.Add(UnknownKeyWarning(source, property.Name, ConfigKeys.Setters.Keys));
                }
                else if (values.Any(v => v.Key == property.Name))
                {
                    // JSON parsers disagree on which duplicate wins, so neither is guessed.
                    throw new ConfigException($"{source}: {property.Name}: given twice");
                }
                else
                {
                    values.Add(new JsonSettingValue(property.Name, $"{source}: {property.Name}", property.Value));
                }
            }

            return Apply(config, values, context);
        }
    }

    private static List<SettingValue> ReadEnvironment(IReadOnlyDictionary<string, string> environment, List<string> warnings)
    {
        var values = new List<SettingValue>();
        foreach (var (variable, text) in environment.Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
                     .OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (variable == ConfigFileVariable)
            {
                continue;
            }

            string? key = variable == UpstreamCaVariable ? ConfigKeys.UpstreamCaFile : KeyByVariable.GetValueOrDefault(variable);
            if (key is null)
            {
                var warning = $"environment variable {variable}: unknown, ignored";
                var known = KeyByVariable.Keys.Append(UpstreamCaVariable).Append(ConfigFileVariable);
                warnings.Add(Messages.Suggest(variable, known) is { } suggestion ? $"{warning} (did you mean {suggestion}?)" : warning);
            }
            else if (text.Length == 0)
            {
                // "export CLAWSEC_X=" is how scripts switch a variable off; the file or the default then applies.
                continue;
            }
            else if (values.FirstOrDefault(v => v.Key == key) is EnvironmentSettingValue other)
            {
                // Only CLAWSEC_UPSTREAM_CA and CLAWSEC_UPSTREAM_CA_FILE meet here: the key's own name wins.
                var current = new EnvironmentSettingValue(key, variable, text);
                var (kept, dropped) = variable == UpstreamCaVariable ? (other, current) : (current, other);
                values[values.IndexOf(other)] = kept;
                if (kept.Text != dropped.Text)
                {
                    warnings.Add($"environment variable {dropped.Name}: ignored, {kept.Name} is also set and differs");
                }
            }
            else
            {
                values.Add(new EnvironmentSettingValue(key, variable, text));
            }
        }

        return values;
    }

    /// <summary>Applies one layer's values; a later layer overrides an earlier one key by key.</summary>
    private static ClawSecConfig Apply(ClawSecConfig config, List<SettingValue> values, LoadContext context)
    {
        var primary = values.FirstOrDefault(v => v.Key == ConfigKeys.ProxyPort);
        foreach (var value in values)
        {
            if (value.Key == ConfigKeys.HttpProxyPort && primary is not null)
            {
                int aliasPort = value.ReadPort();
                int port = primary.ReadPort();
                if (aliasPort != port)
                {
                    throw primary.Problem($"is {port} but its alias {value.Name} is {aliasPort}; give one of them, or the same value");
                }

                continue;
            }

            config = ConfigKeys.Setters[value.Key](config, value, context);
        }

        return config;
    }
}
