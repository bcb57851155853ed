namespace ClawSec.Core.Detection;

/// <summary>An ordered set of rules that a <see cref="Scanner"/> runs together.</summary>
public sealed class RulePack
{
    public RulePack(IEnumerable<Rule> rules)
    {
        Rules = [.. rules];
        if (Rules.FirstOrDefault(r => !r.HasRegex) is { } rule)
        {
            throw new ArgumentException($"Rule {rule.Name} has no regex.", nameof(rules));
        }
    }

    public IReadOnlyList<Rule> Rules { get; }

    /// <summary>
    /// The built-in rules: the twelve pattern names of the original, made right, then secrets in their issuers'
    /// formats and further injections.
    /// </summary>
    public static RulePack Default { get; } = new(DefaultRules.Create());
}
