using System.Globalization;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;

namespace ClawSec.Core.Detection;

/// <summary>
/// Reads a gitleaks configuration (its TOML rule format) into rules: exfiltration, outbound, medium severity, named
/// <c>gitleaks:&lt;id&gt;</c>. Each regex is translated from RE2 (<see cref="Re2Translator"/>) and compiled by .NET
/// before it is taken; a rule that cannot be used is reported by id with the reason, never mis-compiled.
/// </summary>
/// <remarks>
/// Kept from gitleaks: <c>secretGroup</c> (else the first group that matched), <c>entropy</c> (a secret at or
/// below it is dropped), <c>keywords</c>, rule allowlists (<c>regexes</c> with <c>regexTarget</c> secret, match or
/// line, <c>stopwords</c>, <c>condition</c>) and the global <c>[allowlist]</c> and <c>[[allowlists]]</c>.
/// Differences that traffic imposes: rules limited to file paths are skipped, and path or commit allowlists are
/// ignored; a keyword must occur within a rule's match (gitleaks looks for it anywhere in a file). Our placeholder
/// filter applies on top. Regexes run on the non-backtracking engine, built when a keyword first occurs, since
/// building hundreds of them takes seconds. Where a keyword sits in a pattern bounds where a match can start around
/// it, and a pattern of unbounded length that may end at the end of the text is searched only as far as its match
/// with each unbounded run at its shortest (<see cref="PatternShape"/>): a longer secret is found cut there, and
/// redaction runs on to the end of its token.
/// </remarks>
public static class GitleaksImporter
{
    public const string NamePrefix = "gitleaks:";

    /// <summary>Reach of a rule whose matches have no bound (or a larger one); longer matches are found shortened.</summary>
    public const int MaxReach = 4096;

    /// <summary>
    /// Added to <see cref="PatternShape.TruncatableReach"/> for a rule whose matches may end where the text does:
    /// its search sees that much and a few characters more, and a longer match is found cut there.
    /// </summary>
    internal const int TruncationMargin = 16;

    /// <summary>The rules of a gitleaks TOML file; throws <see cref="FormatException"/> when it is not TOML.</summary>
    public static GitleaksImport Load(string tomlText)
    {
        ArgumentNullException.ThrowIfNull(tomlText);
        TomlTable root;
        try
        {
            root = TomlSerializer.Deserialize<TomlTable>(tomlText) ?? [];
        }
        catch (TomlException e)
        {
            throw new FormatException($"not a valid TOML file: {e.Message}", e);
        }

        var skipped = new List<GitleaksNote>();
        var ignored = new List<GitleaksNote>();
        var global = new List<(RuleAllowlist Allowlist, HashSet<string>? TargetRules)>();
        if (root.TryGetValue("extend", out _))
        {
            ignored.Add(new("[extend]", "extends another configuration, which is not loaded: only this file's rules are used"));
        }

        if (root.TryGetValue("allowlist", out var legacy) && legacy is TomlTable legacyTable)
        {
            AddGlobal(legacyTable, "[allowlist]", null);
        }

        if (root.TryGetValue("allowlists", out var globals) && globals is TomlTableArray globalTables)
        {
            for (var i = 0; i < globalTables.Count; i++)
            {
                var targets = Strings(globalTables[i], "targetRules");
                AddGlobal(globalTables[i], $"[[allowlists]][{i}]", targets.Count == 0 ? null : [.. targets]);
            }
        }

        var rules = new List<Rule>();
        if (root.TryGetValue("rules", out var ruleTables) && ruleTables is TomlTableArray tables)
        {
            for (var i = 0; i < tables.Count; i++)
            {
                var id = tables[i].TryGetValue("id", out var value) && value is string text && text.Length > 0 ? text : $"rules[{i}]";
                try
                {
                    rules.Add(ImportRule(tables[i], id, global, ignored));
                }
                catch (FormatException e)
                {
                    skipped.Add(new(id, e.Message));
                }
            }
        }

        return new GitleaksImport { Rules = rules, Skipped = skipped, Ignored = ignored };

        void AddGlobal(TomlTable table, string where, HashSet<string>? targets)
        {
            try
            {
                if (Allowlist(table, where, where, ignored) is { } allowlist)
                {
                    global.Add((allowlist, targets));
                }
            }
            catch (FormatException e)
            {
                skipped.Add(new(where, e.Message));
            }
        }
    }

    private static Rule ImportRule(TomlTable table, string id, List<(RuleAllowlist Allowlist, HashSet<string>? TargetRules)> global, List<GitleaksNote> ignored)
    {
        var regexText = Text(table, "regex");
        if (Text(table, "path") is { } path)
        {
            throw new FormatException(regexText is null
                ? $"matches file paths only ('{path}'); traffic has no file path"
                : $"applies only to files whose path matches '{path}'; traffic has no file path");
        }

        if (regexText is null)
        {
            throw new FormatException("has no regex");
        }

        var pattern = Translate(regexText, "regex", out var maxLength);
        var groups = new Regex(pattern, RegexOptions.CultureInvariant).GetGroupNumbers().Length - 1;
        var secretGroup = Rule.FirstNonEmptyGroup;
        if (Number(table, "secretGroup") is { } group)
        {
            if (group != Math.Floor(group) || group < 0 || group > groups)
            {
                throw new FormatException($"secretGroup {group.ToString(CultureInfo.InvariantCulture)}: the regex has {groups} groups");
            }

            secretGroup = (int)group;
        }

        var allowlists = new List<RuleAllowlist>();
        if (table.TryGetValue("allowlist", out var one) && one is TomlTable oneTable
            && Allowlist(oneTable, "allowlist", id, ignored) is { } single)
        {
            allowlists.Add(single);
        }

        if (table.TryGetValue("allowlists", out var many) && many is TomlTableArray manyTables)
        {
            for (var i = 0; i < manyTables.Count; i++)
            {
                if (Allowlist(manyTables[i], $"allowlists[{i}]", id, ignored) is { } allowlist)
                {
                    allowlists.Add(allowlist);
                }
            }
        }

        allowlists.AddRange(global.Where(g => g.TargetRules is null || g.TargetRules.Contains(id)).Select(g => g.Allowlist));
        var entropy = Number(table, "entropy");
        var keywords = Strings(table, "keywords").Select(k => k.ToLowerInvariant()).Where(k => k.Length > 0).Distinct().ToList();
        var bounded = maxLength is { } max && max <= MaxReach;
        var shape = PatternShape.Parse(pattern);
        var reach = bounded ? (int)Math.Max(1, maxLength!.Value)
            : shape?.TruncatableReach() is { } cut && cut + TruncationMargin <= MaxReach ? cut + TruncationMargin
            : MaxReach;
        var lead = shape?.KeywordLead(keywords) ?? (bounded ? (int)maxLength!.Value : null);
        return new Rule
        {
            Name = NamePrefix + id,
            ThreatType = ThreatType.Exfil,
            Severity = Severity.Medium,
            AppliesTo = Directions.Outbound,
            Description = Text(table, "description") ?? $"gitleaks rule {id}.",
            RegexFactory = () => Build(pattern),
            Keywords = keywords,
            IsSecret = true,
            SecretGroup = secretGroup,

            // gitleaks drops a secret whose entropy is at or below the figure; ours drops below it.
            MinEntropy = entropy is > 0 ? Math.BitIncrement(entropy.Value) : null,
            Allowlists = allowlists,
            MaxMatchLength = reach,
            MaxKeywordOffset = lead is { } l ? Math.Min(l, reach) : null,
        };
    }

    /// <summary>The allowlist of a table, or null when nothing of it applies to traffic (noted in <paramref name="ignored"/>).</summary>
    private static RuleAllowlist? Allowlist(TomlTable table, string where, string id, List<GitleaksNote> ignored)
    {
        var target = Text(table, "regexTarget") switch
        {
            null or "secret" => AllowlistTarget.Secret,
            "match" => AllowlistTarget.Match,
            "line" => AllowlistTarget.Line,
            var other => throw new FormatException($"{where}: regexTarget \"{other}\" is not secret, match or line"),
        };
        var requireAll = Text(table, "condition")?.ToUpperInvariant() switch
        {
            null or "OR" => false,
            "AND" => true,
            var other => throw new FormatException($"{where}: condition \"{other}\" is not OR or AND"),
        };
        var patterns = Strings(table, "regexes");
        var regexes = patterns.Select((p, i) => Translate(p, $"{where}.regexes[{i}]", out _)).ToList();
        var stopwords = Strings(table, "stopwords");
        var fileParts = Strings(table, "paths").Count + Strings(table, "commits").Count;
        if (fileParts > 0)
        {
            if (requireAll || (regexes.Count == 0 && stopwords.Count == 0))
            {
                ignored.Add(new(id, $"{where}: needs a file path or commit, which traffic does not have; not applied"));
                return null;
            }

            ignored.Add(new(id, $"{where}: its {fileParts} path and commit entries are not applied; traffic has none"));
        }

        if (regexes.Count == 0 && stopwords.Count == 0)
        {
            return null;
        }

        return new RuleAllowlist
        {
            Target = target,
            Regexes = new LazyRegexList([.. regexes.Select(p => (Func<Regex>)(() => Build(p)))]),
            Stopwords = [.. stopwords.Select(s => s.ToLowerInvariant())],
            RequireAll = requireAll,
        };
    }

    /// <summary>The .NET spelling of an RE2 pattern, checked by compiling it; throws with the reason when there is none.</summary>
    private static string Translate(string re2, string where, out long? maxLength)
    {
        var (pattern, max, error) = Re2Translator.Translate(re2);
        if (pattern is null)
        {
            throw new FormatException($"{where}: {error}");
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{where}: .NET does not accept its translation: {e.Message}", e);
        }

        maxLength = max;
        return pattern;
    }

    /// <summary>
    /// The non-backtracking regex; RE2 syntax translates only to constructs it has, but should one be missing the
    /// backtracking engine with a match timeout stands in.
    /// </summary>
    private static Regex Build(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, UserRuleCompiler.MatchTimeout);
        }
    }

    private static string? Text(TomlTable table, string key) =>
        table.TryGetValue(key, out var value) ? value as string ?? throw new FormatException($"{key}: must be a string") : null;

    private static double? Number(TomlTable table, string key) =>
        !table.TryGetValue(key, out var value) ? null : value switch
        {
            long l => l,
            double d => d,
            _ => throw new FormatException($"{key}: must be a number"),
        };

    private static List<string> Strings(TomlTable table, string key) =>
        !table.TryGetValue(key, out var value) ? [] : value is TomlArray array
            ? [.. array.Select(item => item as string ?? throw new FormatException($"{key}: must be an array of strings"))]
            : throw new FormatException($"{key}: must be an array of strings");
}
