using System.Text.RegularExpressions;
using ClawSec.Core.Configuration;

namespace ClawSec.Core.Detection;

/// <summary>
/// Turns the user rules of the configuration into detection rules that cannot stall the proxy: a pattern runs on
/// the non-backtracking engine (linear in the text) when it can, and with a match timeout when it needs
/// backtracking (lookarounds, backreferences, atomic groups).
/// </summary>
public static class UserRuleCompiler
{
    /// <summary>How long one match of a backtracking user pattern may take before it is given up.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Reach assumed for a user rule: a user pattern's longest match is not known, and a longer one is found
    /// shortened when a body streams.
    /// </summary>
    public const int MaxMatchLength = 4096;

    /// <summary>The name of the capture group that, when a pattern has it, holds the secret to filter and redact.</summary>
    public const string SecretGroupName = "secret";

    public static IReadOnlyList<Rule> Compile(IEnumerable<UserRuleConfig> configs) => [.. configs.Select(Compile)];

    /// <summary>The rule for one configured user rule; throws <see cref="InvalidRuleException"/> naming it when it is unusable.</summary>
    public static Rule Compile(UserRuleConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var name = config.Name;
        var threatType = config.ThreatType.ToUpperInvariant() switch
        {
            "EXFIL" => ThreatType.Exfil,
            "INJECTION" => ThreatType.Injection,
            _ => throw new InvalidRuleException(name, $"threat_type: \"{config.ThreatType}\" is not EXFIL or INJECTION"),
        };
        var directions = config.Direction.ToLowerInvariant() switch
        {
            "outbound" => Directions.Outbound,
            "inbound" => Directions.Inbound,
            "both" => Directions.Both,
            _ => throw new InvalidRuleException(name, $"direction: \"{config.Direction}\" is not outbound, inbound or both"),
        };
        var severity = config.Severity.ToLowerInvariant() switch
        {
            "info" => Severity.Info,
            "low" => Severity.Low,
            "medium" => Severity.Medium,
            "high" => Severity.High,
            "critical" => Severity.Critical,
            _ => throw new InvalidRuleException(name, $"severity: \"{config.Severity}\" is not info, low, medium, high or critical"),
        };
        if (config.Entropy is < 0 or double.NaN)
        {
            throw new InvalidRuleException(name, "entropy: must be a number of bits per character, 0 or more");
        }

        var regex = SafeRegex(name, "regex", config.Regex);
        var allowlist = config.Allowlist.Select((pattern, i) => SafeRegex(name, $"allowlist[{i}]", pattern)).ToList();
        var secretGroup = regex.GroupNumberFromName(SecretGroupName);

        return new Rule
        {
            Name = name,
            ThreatType = threatType,
            Severity = severity,
            AppliesTo = directions,
            Description = string.IsNullOrWhiteSpace(config.Description) ? $"User rule {name}." : config.Description,
            Regex = regex,

            // Keywords are compared ignoring case anyway; lower-casing them keeps the rule's shape that of the others.
            Keywords = [.. config.Keywords.Select(k => k.ToLowerInvariant()).Where(k => k.Length > 0).Distinct()],

            // Exfiltration rules find secrets, which are redacted wherever they are shown.
            IsSecret = threatType == ThreatType.Exfil,
            SecretGroup = secretGroup > 0 ? secretGroup : 0,
            MinEntropy = config.Entropy is > 0 ? config.Entropy : null,
            Allowlist = allowlist,
            MaxMatchLength = MaxMatchLength,
        };
    }

    /// <summary>
    /// The pattern on the non-backtracking engine, or, for constructs that engine lacks, on the backtracking one
    /// with <see cref="MatchTimeout"/>.
    /// </summary>
    internal static Regex SafeRegex(string ruleName, string field, string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            throw new InvalidRuleException(ruleName, $"{field}: is empty");
        }

        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            // Lookarounds, backreferences, atomic groups or conditionals: backtracking is needed, bounded in time.
        }
        catch (ArgumentException e)
        {
            throw new InvalidRuleException(ruleName, $"{field}: not a valid .NET regular expression: {e.Message}", e);
        }

        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new InvalidRuleException(ruleName, $"{field}: not a valid .NET regular expression: {e.Message}", e);
        }
    }
}
