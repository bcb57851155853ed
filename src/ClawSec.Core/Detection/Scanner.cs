using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>Runs a rule pack over text. Pure: no I/O, no clock; safe to share between threads.</summary>
public sealed class Scanner
{
    private const int StackRuleLimit = 256;

    private readonly RuleSet _outbound;
    private readonly RuleSet _inbound;
    private readonly RuleSet _secrets;

    public Scanner(RulePack pack)
    {
        Pack = pack;
        _outbound = new RuleSet(pack.Rules.Where(r => r.AppliesToDirection(Direction.Outbound)));
        _inbound = new RuleSet(pack.Rules.Where(r => r.AppliesToDirection(Direction.Inbound)));

        // Redaction covers every secret rule whatever its direction: a secret is a secret both ways.
        _secrets = new RuleSet(pack.Rules.Where(r => r.IsSecret));
        SecretReach = _secrets.MaxMatchLength;
        Horizon = Math.Max(Math.Max(_outbound.MaxMatchLength, _inbound.MaxMatchLength), Redactor.SnippetReach);
        StreamContext = Redactor.ContextBefore + 1 + SecretReach + Rule.MaxLookbehind;
    }

    public RulePack Pack { get; }

    /// <summary>How far a match and its snippet reach past the match's start: the stream holds a match this long.</summary>
    internal int Horizon { get; }

    /// <summary>How far before a possible match the stream keeps text: lookbehinds, snippet context, redaction.</summary>
    internal int StreamContext { get; }

    /// <summary>The longest secret; text this far before a snippet is scanned to redact a secret that began there.</summary>
    internal int SecretReach { get; }

    /// <summary>
    /// All findings in a whole piece of text (a request head, a header value, a log line), in order of offset;
    /// findings at the same offset are in rule order.
    /// </summary>
    public IReadOnlyList<Finding> ScanText(string text, Direction direction)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var set = RulesFor(direction);
        var span = text.AsSpan();
        var armed = set.Rules.Length <= StackRuleLimit ? stackalloc bool[set.Rules.Length] : new bool[set.Rules.Length];
        if (set.Prefilter.Arm(span, armed) == 0)
        {
            return [];
        }

        var findings = new List<Finding>();
        for (var i = 0; i < set.Rules.Length; i++)
        {
            if (armed[i])
            {
                RunRule(set.Rules[i], span, 0, int.MaxValue, 0, findings);
            }
        }

        SortByOffset(findings);
        return findings;
    }

    /// <summary>A scanner for one message's body, fed chunk by chunk, scanning at most <paramref name="maxBytes"/> bytes.</summary>
    public StreamScanner CreateStream(Direction direction, long maxBytes) => new(this, direction, maxBytes);

    /// <summary>
    /// The text with every match of a secret rule (of either direction) replaced by its kept prefix and a marker,
    /// for log lines. Costs one keyword pass when there is no secret; never throws.
    /// </summary>
    public string RedactForLog(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        try
        {
            var spans = new List<(int Start, int End)>();
            if (!FindSecrets(text, spans))
            {
                return Redactor.Withheld;
            }

            return spans.Count == 0 ? text : Redactor.Replace(text, spans);
        }
#pragma warning disable CA1031 // A log line must be written whatever happens; an unscannable one is withheld whole.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Redactor.Withheld;
        }
    }

    internal RuleSet RulesFor(Direction direction) => direction == Direction.Outbound ? _outbound : _inbound;

    /// <summary>
    /// Runs one rule from <paramref name="startat"/> and adds a finding for each accepted match starting at or
    /// before <paramref name="limit"/> (an index into <paramref name="text"/>; later matches are left for a later
    /// call). <paramref name="baseOffset"/> is the message offset of <c>text[0]</c>. Returns where the rule's next
    /// search starts: just past the last match taken.
    /// </summary>
    internal int RunRule(Rule rule, ReadOnlySpan<char> text, int startat, int limit, long baseOffset, List<Finding> into)
    {
        var next = startat;
        try
        {
            foreach (var match in rule.Regex.EnumerateMatches(text, startat))
            {
                if (match.Index > limit)
                {
                    break;
                }

                next = match.Index + Math.Max(match.Length, 1);
                if (match.Length == 0)
                {
                    continue;
                }

                var value = text.Slice(match.Index, match.Length);
                if (rule.Accepts(value))
                {
                    var snippet = Redactor.Snippet(text, match.Index, match.Length, rule.IsSecret, this);
                    into.Add(new Finding(rule, value.ToString(), baseOffset + match.Index, snippet));
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Only user rules carry a timeout; one that times out finds nothing here rather than stall the proxy.
        }

        return next;
    }

    /// <summary>
    /// Adds the spans of every secret-rule match in the text to <paramref name="spans"/>, sorted and merged.
    /// False when a rule timed out, so the text cannot be shown safely.
    /// </summary>
    internal bool FindSecrets(ReadOnlySpan<char> text, List<(int Start, int End)> spans)
    {
        var rules = _secrets.Rules;
        var armed = rules.Length <= StackRuleLimit ? stackalloc bool[rules.Length] : new bool[rules.Length];
        if (rules.Length > 0 && _secrets.Prefilter.Arm(text, armed) > 0)
        {
            try
            {
                for (var i = 0; i < rules.Length; i++)
                {
                    if (!armed[i])
                    {
                        continue;
                    }

                    foreach (var match in rules[i].Regex.EnumerateMatches(text))
                    {
                        if (match.Length > 0)
                        {
                            spans.Add((match.Index, match.Index + match.Length));
                        }
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }

        Redactor.Merge(spans);
        return true;
    }

    /// <summary>Stable sort by offset: each rule's findings arrive in order, rule after rule.</summary>
    internal static void SortByOffset(List<Finding> findings)
    {
        for (var i = 1; i < findings.Count; i++)
        {
            if (findings[i].Offset < findings[i - 1].Offset)
            {
                var sorted = findings.OrderBy(f => f.Offset).ToList();
                findings.Clear();
                findings.AddRange(sorted);
                return;
            }
        }
    }
}
