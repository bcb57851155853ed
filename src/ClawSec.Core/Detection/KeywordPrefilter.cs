using System.Buffers;
using System.Text;

namespace ClawSec.Core.Detection;

/// <summary>
/// Finds where rules' keywords occur in a text with one vectorised pass, so that text without any keyword costs
/// that pass and nothing more, and text with some gets its regexes run only near them. Immutable; thread-safe.
/// </summary>
internal sealed class KeywordPrefilter
{
    // Keywords are grouped by their first character (ASCII, lower-cased) so a hit is checked against a few.
    private const int OtherBucket = 128;

    private readonly SearchValues<string>? _values;

    // Keywords with non-ASCII characters (a Unicode tag character's surrogate) are searched for exactly, apart:
    // in a case-insensitive set they turn its vectorised search into a slow one.
    private readonly SearchValues<string>? _exactValues;
    private readonly string[] _keywords;
    private readonly int[][] _rulesOfKeyword;
    private readonly int[][] _keywordsByFirstChar;
    private readonly int[] _allKeywords;
    private readonly int[] _lead;
    private readonly int[] _gap;
    private readonly bool[] _alwaysRuns;

    /// <summary>
    /// <paramref name="gaps"/>: per rule, how far apart two windows may be and still be merged into one (see
    /// <see cref="CandidateWindows.Add"/>).
    /// </summary>
    public KeywordPrefilter(IReadOnlyList<Rule> rules, IReadOnlyList<int> leads, IReadOnlyList<int> gaps)
    {
        var byKeyword = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        _alwaysRuns = new bool[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var keywords = rules[i].Keywords.Where(k => !string.IsNullOrEmpty(k)).ToList();
            _alwaysRuns[i] = keywords.Count == 0;
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
        _allKeywords = [.. Enumerable.Range(0, _keywords.Length)];
        _keywordsByFirstChar = new int[OtherBucket + 1][];
        for (var c = 0; c <= OtherBucket; c++)
        {
            _keywordsByFirstChar[c] = [.. _allKeywords.Where(k => Bucket(_keywords[k][0]) == c)];
        }

        var ascii = _keywords.Where(k => Ascii.IsValid(k)).ToArray();
        var exact = _keywords.Where(k => !Ascii.IsValid(k)).ToArray();
        _values = ascii.Length == 0 ? null : SearchValues.Create(ascii, StringComparison.OrdinalIgnoreCase);
        _exactValues = exact.Length == 0 ? null : SearchValues.Create(exact, StringComparison.Ordinal);
        AnyAlwaysRuns = _alwaysRuns.Contains(true);
        _lead = [.. leads];
        _gap = [.. gaps];
        MaxKeywordLength = _keywords.Length == 0 ? 0 : _keywords.Max(k => k.Length);
    }

    public int MaxKeywordLength { get; }

    /// <summary>True when the rule has no keywords and so runs over all text.</summary>
    public bool AlwaysRuns(int rule) => _alwaysRuns[rule];

    /// <summary>True when some rule has no keywords.</summary>
    public bool AnyAlwaysRuns { get; }

    /// <summary>True when a rule may match the text: one has no keywords, or some keyword occurs.</summary>
    public bool MayMatch(ReadOnlySpan<char> text) =>
        AnyAlwaysRuns || (_values is not null && text.IndexOfAny(_values) >= 0) || (_exactValues is not null && text.IndexOfAny(_exactValues) >= 0);

    /// <summary>
    /// For each keyword occurrence starting at or after <paramref name="from"/>, adds to its rules the window of
    /// message offsets (<paramref name="baseOffset"/> + index) where a match containing it may start.
    /// Allocates the windows on the first occurrence only.
    /// </summary>
    public void Collect(ReadOnlySpan<char> text, int from, long baseOffset, int ruleCount, ref CandidateWindows? windows)
    {
        if (_values is null && _exactValues is null)
        {
            return;
        }

        // The next occurrence of each set at or after position: -1 none, -2 not looked for yet.
        var nextFolded = _values is null ? -1 : -2;
        var nextExact = _exactValues is null ? -1 : -2;
        var position = from;
        while (position < text.Length)
        {
            nextFolded = NextHit(text, position, _values, nextFolded);
            nextExact = NextHit(text, position, _exactValues, nextExact);
            var hit = nextFolded < 0 ? nextExact : nextExact < 0 ? nextFolded : Math.Min(nextFolded, nextExact);
            if (hit < 0)
            {
                return;
            }

            position = hit;
            var rest = text[position..];
            var bucket = Bucket(rest[0]);

            // A non-ASCII character may still equal an ASCII one ignoring case; check every keyword then.
            foreach (var k in bucket == OtherBucket ? _allKeywords : _keywordsByFirstChar[bucket])
            {
                if (!rest.StartsWith(_keywords[k], StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                foreach (var rule in _rulesOfKeyword[k])
                {
                    windows ??= new CandidateWindows(ruleCount);
                    var at = baseOffset + position;
                    windows.Add(rule, Math.Max(0, at - _lead[rule]), at, _gap[rule]);
                }
            }

            position++;
        }
    }

    private static int NextHit(ReadOnlySpan<char> text, int position, SearchValues<string>? values, int known)
    {
        if (values is null || known == -1 || known >= position)
        {
            return known;
        }

        var hit = text[position..].IndexOfAny(values);
        return hit < 0 ? -1 : position + hit;
    }

    private static int Bucket(char c) => c < OtherBucket ? char.ToLowerInvariant(c) : OtherBucket;
}
