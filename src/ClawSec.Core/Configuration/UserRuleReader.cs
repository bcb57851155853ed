using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClawSec.Core.Configuration;

/// <summary>
/// Reads the <c>rules</c> key: an array of rule objects, checked here (names, choices, that each regex compiles)
/// so that a bad rule stops the start with a message naming it rather than failing later in the scanner.
/// </summary>
internal static class UserRuleReader
{
    private static readonly string[] ThreatTypes = ["EXFIL", "INJECTION"];
    private static readonly string[] Directions = ["outbound", "inbound", "both"];
    private static readonly string[] Severities = ["info", "low", "medium", "high", "critical"];

    private static readonly string[] KnownKeys =
        ["name", "regex", "threat_type", "direction", "severity", "description", "keywords", "entropy", "allowlist"];

    public static IReadOnlyList<UserRuleConfig> Read(SettingValue value, List<string> warnings)
    {
        if (value.IsNull)
        {
            return [];
        }

        var array = value.ReadJson();
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new JsonSettingValue(value.Key, value.Where, array).Invalid("must be an array of rule objects");
        }

        var rules = new List<UserRuleConfig>();
        var indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        int index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var rule = ReadRule(item, $"{value.NestedWhere}[{index}]", warnings);
            if (!indexByName.TryAdd(rule.Name, index))
            {
                throw new ConfigException(
                    $"{value.NestedWhere}[{index}]: name: \"{rule.Name}\" is already the name of rules[{indexByName[rule.Name]}]");
            }

            rules.Add(rule);
            index++;
        }

        return rules;
    }

    private static UserRuleConfig ReadRule(JsonElement item, string where, List<string> warnings)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new JsonSettingValue("rules", where, item).Invalid("must be an object");
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            if (!KnownKeys.Contains(property.Name))
            {
                warnings.Add(ConfigLoader.UnknownKeyWarning(where, property.Name, KnownKeys));
            }
            else if (!fields.TryAdd(property.Name, property.Value))
            {
                throw new ConfigException($"{where}: {property.Name}: given twice");
            }
        }

        var name = Required(fields, where, "name").ReadString();
        if (name.Length == 0 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            throw Field(fields, where, "name")!.Invalid("must be lower-case letters, digits and _ only");
        }

        // From here on messages carry the name too: an index alone is hard to find in a long list.
        where = $"{where} \"{name}\"";
        var regexValue = Required(fields, where, "regex");
        var regex = regexValue.ReadNonBlankString();
        try
        {
            _ = new Regex(regex, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw regexValue.Problem($"not a valid .NET regular expression: {e.Message}");
        }

        var rule = new UserRuleConfig { Name = name, Regex = regex };
        if (Field(fields, where, "threat_type") is { } threatType)
        {
            rule = rule with { ThreatType = threatType.ReadChoice(ThreatTypes) };
        }

        if (Field(fields, where, "direction") is { } direction)
        {
            rule = rule with { Direction = direction.ReadChoice(Directions) };
        }

        if (Field(fields, where, "severity") is { } severity)
        {
            rule = rule with { Severity = severity.ReadChoice(Severities) };
        }

        if (Field(fields, where, "description") is { } description)
        {
            rule = rule with { Description = description.ReadString() };
        }

        if (Field(fields, where, "keywords") is { } keywords)
        {
            rule = rule with { Keywords = ReadStrings(keywords) };
        }

        if (Field(fields, where, "entropy") is { } entropy)
        {
            rule = rule with { Entropy = entropy.ReadNumber(0, minExclusive: false, double.PositiveInfinity) };
        }

        if (Field(fields, where, "allowlist") is { } allowlist)
        {
            rule = rule with { Allowlist = ReadStrings(allowlist) };
        }

        return rule;
    }

    /// <summary>The field, or null when it is absent or JSON null (both mean "the default").</summary>
    private static JsonSettingValue? Field(Dictionary<string, JsonElement> fields, string where, string key) =>
        fields.TryGetValue(key, out var element) && element.ValueKind != JsonValueKind.Null
            ? new JsonSettingValue(key, $"{where}: {key}", element)
            : null;

    private static JsonSettingValue Required(Dictionary<string, JsonElement> fields, string where, string key) =>
        Field(fields, where, key) ?? throw new ConfigException($"{where}: {key}: is required");

    private static string[] ReadStrings(JsonSettingValue value)
    {
        if (value.Element.ValueKind != JsonValueKind.Array)
        {
            throw value.Invalid("must be an array of strings");
        }

        return [.. value.Element.EnumerateArray().Select((item, i) => new JsonSettingValue(value.Key, $"{value.Where}[{i}]", item).ReadString())];
    }
}
