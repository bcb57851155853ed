using System.Buffers;

namespace ClawSec.Core.Detection;

/// <summary>
/// Finds which rules' keywords occur in a text with one vectorised pass, so that text without any keyword costs
/// that pass and nothing more. Immutable; safe to share between threads.
/// </summary>
internal sealed class KeywordPrefilter
{
    private readonly SearchValues<string>? _values;
    private readonly string[] _keywords;
    private readonly int[][] _rulesOfKeyword;
    private readonly bool[] _alwaysRuns;

    public KeywordPrefilter(IReadOnlyList<Rule> rules)
    {
        var byKeyword = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        _alwaysRuns = new bool[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var keywords = rules[i].Keywords.Where(k => !string.IsNullOrEmpty(k)).ToList();
            if (keywords.Count == 0)
            {
                _alwaysRuns[i] = true;
                continue;
            }

            foreach (var keyword in keywords)
            {
                if (!byKeyword.TryGetValue(keyword, out var list))
                {
                    byKeyword[keyword] = list = [];
                }

                if (!list.Contains(i))
                {
                    list.Add(i);
                }
            }
        }

        _keywords = [.. byKeyword.Keys];
        _rulesOfKeyword = [.. _keywords.Select(k => byKeyword[k].ToArray())];
        _values = _keywords.Length == 0 ? null : SearchValues.Create(_keywords, StringComparison.OrdinalIgnoreCase);
        MaxKeywordLength = _keywords.Length == 0 ? 0 : _keywords.Max(k => k.Length);
        RuleCount = rules.Count;
    }

    public int RuleCount { get; }

    public int MaxKeywordLength { get; }

    /// <summary>True when the rule has no keywords and so runs on every text.</summary>
    public bool AlwaysRuns(int rule) => _alwaysRuns[rule];

    /// <summary>Marks in <paramref name="armed"/> every rule that must run on the text; returns how many.</summary>
    public int Arm(ReadOnlySpan<char> text, Span<bool> armed)
    {
        var count = 0;
        for (var i = 0; i < RuleCount; i++)
        {
            armed[i] = _alwaysRuns[i];
            count += _alwaysRuns[i] ? 1 : 0;
        }

        if (_values is null)
        {
            return count;
        }

        var position = 0;
        while (count < RuleCount)
        {
            var hit = text[position..].IndexOfAny(_values);
            if (hit < 0)
            {
                break;
            }

            position += hit;
            var rest = text[position..];
            for (var k = NextKeywordAt(rest, 0); k >= 0; k = NextKeywordAt(rest, k + 1))
            {
                foreach (var rule in _rulesOfKeyword[k])
                {
                    if (!armed[rule])
                    {
                        armed[rule] = true;
                        count++;
                    }
                }
            }

            position++;
        }

        return count;
    }

    /// <summary>
    /// For each keyword occurrence starting at or after <paramref name="from"/>, records its absolute position
    /// (<paramref name="baseOffset"/> + index) as the last keyword hit of the rules it belongs to.
    /// </summary>
    public void RecordHits(ReadOnlySpan<char> text, int from, long baseOffset, Span<long> lastHit)
    {
        if (_values is null)
        {
            return;
        }

        var position = from;
        while (position < text.Length)
        {
            var hit = text[position..].IndexOfAny(_values);
            if (hit < 0)
            {
                return;
            }

            position += hit;
            var rest = text[position..];
            for (var k = NextKeywordAt(rest, 0); k >= 0; k = NextKeywordAt(rest, k + 1))
            {
                foreach (var rule in _rulesOfKeyword[k])
                {
                    lastHit[rule] = Math.Max(lastHit[rule], baseOffset + position);
                }
            }

            position++;
        }
    }

    /// <summary>True when any keyword occurs in the text.</summary>
    public bool AnyHit(ReadOnlySpan<char> text) => _values is not null && text.IndexOfAny(_values) >= 0;

    /// <summary>The index of the first keyword from <paramref name="first"/> on that starts the text, or -1.</summary>
    private int NextKeywordAt(ReadOnlySpan<char> text, int first)
    {
        for (var k = first; k < _keywords.Length; k++)
        {
            if (text.StartsWith(_keywords[k], StringComparison.OrdinalIgnoreCase))
            {
                return k;
            }
        }

        return -1;
    }
}
