using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>Runs a rule pack over text. Pure: no I/O, no clock; safe to share between threads.</summary>
public sealed class Scanner
{
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

    /// <summary>How far before a match its line is looked at, for allowlists of lines.</summary>
    internal const int LineBefore = Redactor.ContextBefore + Rule.MaxLookbehind;

    /// <summary>How far after a match's start its line is looked at: as far as its snippet depends on the text.</summary>
    internal const int LineAfter = Redactor.SnippetReach;

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
        CandidateWindows? windows = null;
        set.Prefilter.Collect(span, 0, 0, set.Rules.Length, ref windows);
        if (windows is null && !set.Prefilter.AnyAlwaysRuns)
        {
            return [];
        }

        var findings = new List<Finding>();
        var matches = new List<(int Index, int Length)>();
        for (var i = 0; i < set.Rules.Length; i++)
        {
            matches.Clear();
            try
            {
                MatchWindows(set, i, span, 0, 0, int.MaxValue, windows is null ? default : windows.Of(i), matches, out _);
            }
            catch (RegexMatchTimeoutException)
            {
                // Only user rules carry a timeout; one that times out finds nothing here rather than stall the proxy.
            }

            AddFindings(set.Rules[i], span, 0, matches, findings);
        }

        set.Prefilter.ReturnWindows(windows);
        SortByOffset(findings);
        return findings;
    }

    /// <summary>
    /// Builds now what the first scans would otherwise build on the data path: the compiled regexes that try single
    /// places near keywords. Safe to run on another thread while scanning.
    /// </summary>
    public void Prepare()
    {
        foreach (var rule in Pack.Rules.Where(r => r.CanTryEachPlace))
        {
            _ = rule.Anchored;
        }
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
            if (!_secrets.Prefilter.MayMatch(text))
            {
                return text;
            }

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
    /// Finds the matches of rule <paramref name="rule"/> of the set that start between <paramref name="cursor"/> and
    /// <paramref name="limit"/> (indices into <paramref name="text"/>, whose first character is at message offset
    /// <paramref name="baseOffset"/>): within its candidate windows, or anywhere for a rule without keywords.
    /// Like <see cref="Regex.Matches(string)"/>, each search resumes at the end of the previous match.
    /// Returns the new cursor: every position before it has been decided. <paramref name="windowsDone"/> counts the
    /// leading windows that lie wholly before <paramref name="limit"/> and so are used up.
    /// </summary>
    internal static int MatchWindows(
        RuleSet set,
        int rule,
        ReadOnlySpan<char> text,
        long baseOffset,
        int cursor,
        int limit,
        ReadOnlySpan<(long Start, long End)> windows,
        List<(int Index, int Length)> into,
        out int windowsDone)
    {
        windowsDone = 0;
        var regex = set.Rules[rule].Regex;
        if (set.Prefilter.AlwaysRuns(rule))
        {
            return cursor <= limit ? Matches(regex, text, cursor, limit, text.Length, into) : cursor;
        }

        foreach (var (windowStart, windowEnd) in windows)
        {
            var first = windowStart - baseOffset;
            if (first > limit)
            {
                break;
            }

            var last = Math.Min(windowEnd - baseOffset, limit);
            var start = Math.Max(first, cursor);
            if (start <= last)
            {
                // A match starting by `last` reads at most its reach; the regex need not look further.
                var searchEnd = (int)Math.Min(text.Length, last + set.Reach[rule] + 1);
                var next = set.CanTryEach[rule] && last - start <= RuleSet.MaxLeadTriedEach
                    ? MatchesAt(set.Rules[rule], text, (int)start, (int)last, searchEnd, into)
                    : Matches(regex, text, (int)start, (int)last, searchEnd, into);
                cursor = (int)Math.Max(next, last + 1);
            }

            if (windowEnd - baseOffset > limit)
            {
                break;
            }

            windowsDone++;
        }

        return cursor;
    }

    /// <summary>Adds a finding, with its redacted snippet, for each match the rule accepts.</summary>
    internal void AddFindings(Rule rule, ReadOnlySpan<char> text, long baseOffset, List<(int Index, int Length)> matches, List<Finding> into)
    {
        foreach (var (index, length) in matches)
        {
            var match = text.Slice(index, length);
            var (secretStart, secretLength) = SecretSpan(rule, text, index, length);
            var line = rule.NeedsLine ? LineAround(text, index, length) : default;
            if (rule.Accepts(text.Slice(secretStart, secretLength), match, line))
            {
                var snippet = Redactor.Snippet(text, index, rule.IsSecret ? (secretStart, secretLength) : null, this);
                into.Add(new Finding(rule, match.ToString(), baseOffset + index, snippet));
            }
        }
    }

    /// <summary>
    /// Where the secret of the match at <paramref name="index"/> lies: its <see cref="Rule.SecretGroup"/>, found by
    /// matching again at the same place with groups, or the whole match. The text read is what the search read:
    /// the lookbehind before the match and the rule's reach after its start.
    /// </summary>
    internal static (int Start, int Length) SecretSpan(Rule rule, ReadOnlySpan<char> text, int index, int length)
    {
        if (rule.SecretGroup == 0)
        {
            return (index, length);
        }

        var from = Math.Max(0, index - Rule.MaxLookbehind);
        var to = (int)Math.Min(text.Length, (long)index + rule.Reach + 1);
        try
        {
            var match = rule.Regex.Match(text[from..to].ToString(), index - from);
            if (!match.Success || match.Index != index - from || match.Length != length)
            {
                return (index, length);
            }

            var group = rule.SecretGroup > 0
                ? (rule.SecretGroup < match.Groups.Count ? match.Groups[rule.SecretGroup] : null)
                : match.Groups.Cast<Group>().Skip(1).FirstOrDefault(g => g.Success && g.Length > 0);
            return group is { Success: true, Length: > 0 } ? (from + group.Index, group.Length) : (index, length);
        }
        catch (RegexMatchTimeoutException)
        {
            return (index, length);
        }
    }

    /// <summary>
    /// The line holding the match, bounded as <see cref="AllowlistTarget.Line"/> describes: a stream keeps that much
    /// text around a match it reports anyway, for the snippet.
    /// </summary>
    private static ReadOnlySpan<char> LineAround(ReadOnlySpan<char> text, int index, int length)
    {
        var start = index;
        var earliest = Math.Max(0, index - LineBefore);
        while (start > earliest && text[start - 1] is not ('\n' or '\r'))
        {
            start--;
        }

        var end = index + length;
        var latest = Math.Max(end, (int)Math.Min(text.Length, (long)index + LineAfter));
        while (end < latest && text[end] is not ('\n' or '\r'))
        {
            end++;
        }

        return text[start..end];
    }

    /// <summary>
    /// Adds the spans of every secret-rule match in the text to <paramref name="spans"/>, sorted and merged.
    /// False when a rule timed out, so the text cannot be shown safely.
    /// </summary>
    internal bool FindSecrets(ReadOnlySpan<char> text, List<(int Start, int End)> spans)
    {
        CandidateWindows? windows = null;
        _secrets.Prefilter.Collect(text, 0, 0, _secrets.Rules.Length, ref windows);
        if (windows is not null || _secrets.Prefilter.AnyAlwaysRuns)
        {
            var matches = new List<(int Index, int Length)>();
            try
            {
                for (var i = 0; i < _secrets.Rules.Length; i++)
                {
                    matches.Clear();
                    MatchWindows(_secrets, i, text, 0, 0, int.MaxValue, windows is null ? default : windows.Of(i), matches, out _);
                    foreach (var (index, length) in matches)
                    {
                        var (start, secretLength) = SecretSpan(_secrets.Rules[i], text, index, length);
                        spans.Add((start, Redactor.TokenEnd(text, start + secretLength)));
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
            finally
            {
                _secrets.Prefilter.ReturnWindows(windows);
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

    /// <summary>
    /// The same as <see cref="Matches"/>, found by trying the anchored regex at each place (that its place check lets through) from
    /// <paramref name="startat"/> to <paramref name="limit"/>: the leftmost match, then the next from its end.
    /// </summary>
    private static int MatchesAt(Rule rule, ReadOnlySpan<char> text, int startat, int limit, int searchEnd, List<(int Index, int Length)> into)
    {
        var anchored = rule.Anchored;
        var mayStartAt = rule.MayStartAt;
        var position = startat;
        var input = text[..searchEnd];
        while (position <= limit && position <= input.Length)
        {
            // Most places are no match; saying so is cheaper than looking for the match's length.
            if ((mayStartAt is not null && !mayStartAt(input, position)) || !anchored.IsMatch(input, position))
            {
                position++;
                continue;
            }

            var matched = false;
            foreach (var match in anchored.EnumerateMatches(input, position))
            {
                matched = true;
                if (match.Length > 0)
                {
                    into.Add((match.Index, match.Length));
                }

                position = match.Index + Math.Max(match.Length, 1);
                break;
            }

            if (!matched)
            {
                position++;
            }
        }

        return position;
    }

    /// <summary>Non-empty matches starting from <paramref name="startat"/> up to <paramref name="limit"/>.</summary>
    private static int Matches(Regex regex, ReadOnlySpan<char> text, int startat, int limit, int searchEnd, List<(int Index, int Length)> into)
    {
        var next = startat;
        foreach (var match in regex.EnumerateMatches(text[..searchEnd], startat))
        {
            if (match.Index > limit)
            {
                break;
            }

            next = match.Index + Math.Max(match.Length, 1);
            if (match.Length > 0)
            {
                into.Add((match.Index, match.Length));
            }
        }

        return next;
    }
}
