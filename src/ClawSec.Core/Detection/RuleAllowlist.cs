using System.Buffers;
using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>
/// Known non-threats of one rule, as gitleaks' <c>[[rules.allowlists]]</c> describe them: regexes over a chosen
/// target and stopwords contained in the secret.
/// </summary>
public sealed class RuleAllowlist
{
    private SearchValues<string>? _stopwords;

    public AllowlistTarget Target { get; init; } = AllowlistTarget.Secret;

    public IReadOnlyList<Regex> Regexes { get; init; } = [];

    /// <summary>Substrings that mark a secret as not one when it contains them, compared ignoring case.</summary>
    public IReadOnlyList<string> Stopwords { get; init; } = [];

    /// <summary>
    /// False (the default): a finding is allowed when any regex or any stopword matches. True: only when one of the
    /// regexes and one of the stopwords match (each kind that is given), as gitleaks' <c>condition = "AND"</c>.
    /// </summary>
    public bool RequireAll { get; init; }

    internal bool Allows(ReadOnlySpan<char> secret, ReadOnlySpan<char> match, ReadOnlySpan<char> line)
    {
        var target = Target switch
        {
            AllowlistTarget.Match => match,
            AllowlistTarget.Line => line,
            _ => secret,
        };

        bool? regexHit = null;
        foreach (var regex in Regexes)
        {
            regexHit = regex.IsMatch(target);
            if (regexHit == true)
            {
                break;
            }
        }

        bool? stopwordHit = Stopwords.Count == 0 ? null : secret.ContainsAny(StopwordValues());
        if (regexHit is null && stopwordHit is null)
        {
            return false;
        }

        return RequireAll
            ? regexHit != false && stopwordHit != false
            : regexHit == true || stopwordHit == true;
    }

    private SearchValues<string> StopwordValues() =>
        _stopwords ??= SearchValues.Create([.. Stopwords.Where(s => s.Length > 0)], StringComparison.OrdinalIgnoreCase);
}
