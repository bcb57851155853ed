namespace ClawSec.Core.Detection;

/// <summary>Runs a rule pack over text. Pure: no I/O, no clock; safe to share between threads.</summary>
public sealed class Scanner
{
    public Scanner(RulePack pack) => Pack = pack;

    public RulePack Pack { get; }

    /// <summary>All findings in a whole piece of text (a request head, a header value, a log line).</summary>
    public IReadOnlyList<Finding> ScanText(string text, Direction direction)
    {
        var findings = new List<Finding>();
        foreach (var rule in Pack.Rules)
        {
            if ((rule.AppliesTo & (direction == Direction.Outbound ? Directions.Outbound : Directions.Inbound)) == 0)
            {
                continue;
            }

            foreach (System.Text.RegularExpressions.Match m in rule.Regex.Matches(text))
            {
                findings.Add(new Finding(rule, m.Value, m.Index, Redactor.Snippet(text, m.Index, m.Length, findings, rule)));
            }
        }

        return findings;
    }

    /// <summary>A scanner for one message's body, fed chunk by chunk, scanning at most <paramref name="maxBytes"/> bytes.</summary>
    public StreamScanner CreateStream(Direction direction, long maxBytes) => new(this, direction, maxBytes);

    /// <summary>The text with every match of a secret rule replaced, for log lines.</summary>
    public string RedactForLog(string text)
    {
        var findings = ScanText(text, Direction.Outbound);
        return findings.Count == 0 ? text : Redactor.RedactAll(text, findings);
    }
}
