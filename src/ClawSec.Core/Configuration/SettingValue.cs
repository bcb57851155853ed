using System.Text.Json;

namespace ClawSec.Core.Configuration;

/// <summary>
/// One setting's value as one layer gave it (a JSON value in the file, a string in the environment), with typed
/// readers that throw a <see cref="ConfigException"/> naming where the value came from and what was wrong.
/// </summary>
internal abstract class SettingValue(string key, string name, string where)
{
    /// <summary>The configuration key it sets, e.g. <c>upstream_ca_file</c>.</summary>
    public string Key { get; } = key;

    /// <summary>The name as the user wrote it: the JSON key or the variable.</summary>
    public string Name { get; } = name;

    /// <summary>The start of every message about it, e.g. <c>/tmp/x.json: proxy_port</c>.</summary>
    public string Where { get; } = where;

    /// <summary>The value as a message shows it after "got".</summary>
    protected abstract string Shown { get; }

    public abstract bool IsNull { get; }

    protected abstract bool TryGetString(out string value);

    protected abstract bool TryGetInteger(out long value);

    protected abstract bool TryGetNumber(out double value);

    protected abstract bool TryGetBoolean(out bool value);

    /// <summary>Expected by a boolean, for the message: the environment accepts more spellings than JSON.</summary>
    protected abstract string BooleanSpellings { get; }

    /// <summary>The value as JSON (an environment variable holds JSON text for structured keys).</summary>
    public abstract JsonElement ReadJson();

    /// <summary>The prefix for messages about parts of a structured value, such as one rule.</summary>
    public abstract string NestedWhere { get; }

    public ConfigException Invalid(string problem) => new($"{Where}: {problem}, got {Shown}");

    public ConfigException Problem(string problem) => new($"{Where}: {problem}");

    public string ReadString()
    {
        if (!TryGetString(out var value))
        {
            throw Invalid("must be a string");
        }

        return value;
    }

    public string ReadNonBlankString()
    {
        if (!TryGetString(out var value) || string.IsNullOrWhiteSpace(value))
        {
            throw Invalid("must be a non-empty string");
        }

        return value;
    }

    /// <summary>Like <see cref="ReadNonBlankString"/>, but no message shows the value (it holds a password).</summary>
    public string ReadSecretString()
    {
        if (!TryGetString(out var value) || string.IsNullOrWhiteSpace(value))
        {
            throw Problem("must be a non-empty string");
        }

        return value;
    }

    /// <summary>For keys whose default is "none": JSON null restores it.</summary>
    public string? ReadOptionalNonBlankString() => IsNull ? null : ReadNonBlankString();

    public long ReadInteger(long min, long max)
    {
        if (!TryGetInteger(out long value) || value < min || value > max)
        {
            throw Invalid(max == long.MaxValue ? $"must be an integer of at least {min}" : $"must be an integer from {min} to {max}");
        }

        return value;
    }

    public int ReadPort() => (int)ReadInteger(1, 65535);

    public double ReadNumber(double min, bool minExclusive, double max)
    {
        if (!TryGetNumber(out double value) || !double.IsFinite(value) || value < min || (minExclusive && value == min) || value > max)
        {
            var lower = minExclusive ? $"greater than {min}" : $"at least {min}";
            throw Invalid(double.IsPositiveInfinity(max) ? $"must be a number {lower}" : $"must be a number {lower} and at most {max}");
        }

        return value;
    }

    public bool ReadBoolean()
    {
        if (!TryGetBoolean(out bool value))
        {
            throw Invalid($"must be {BooleanSpellings}");
        }

        return value;
    }

    /// <summary>One of <paramref name="choices"/>, matched ignoring case and returned in its listed spelling.</summary>
    public string ReadChoice(IReadOnlyList<string> choices)
    {
        if (TryGetString(out var text))
        {
            foreach (var choice in choices)
            {
                if (string.Equals(choice, text.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    return choice;
                }
            }
        }

        throw Invalid($"must be one of {string.Join(", ", choices)}");
    }
}
