using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

internal static class DefaultRules
{
    public static IEnumerable<Rule> Create()
    {
        yield return new Rule
        {
            Name = "ai_api_key",
            ThreatType = ThreatType.Exfil,
            Regex = new Regex(@"sk-ant-[A-Za-z0-9_\-]{20,}", RegexOptions.CultureInvariant),
            IsSecret = true,
        };
        yield return new Rule
        {
            Name = "unix_sensitive",
            ThreatType = ThreatType.Exfil,
            Regex = new Regex(@"/etc/(?:passwd|shadow|sudoers)\b", RegexOptions.CultureInvariant),
        };
    }
}
