namespace ClawSec.Core.Detection;

/// <summary>
/// Finds where rules' keywords occur in a text with one pass, so that text without any keyword costs that pass and
/// nothing more, and text with some gets its regexes run only near them. Immutable; thread-safe.
/// </summary>
internal sealed class KeywordPrefilter
{
    private readonly KeywordAutomaton? _automaton;

    // Per keyword, the rules it belongs to with how far before it a match of that rule may start, and whether it
    // counts for that rule only where a word starts.
    private readonly (int Rule, int Lead, bool WordStart)[][] _rulesOfKeyword;
    private readonly int[] _gap;
    private readonly bool[] _alwaysRuns;

    /// <summary>
    /// <paramref name="leads"/>: per rule, how far before one of its keywords a match may start, unless the rule
    /// says so for that keyword (<see cref="Rule.KeywordOffsets"/>). <paramref name="reach"/> and
    /// <paramref name="tryEach"/>: per rule, its reach and whether its places can be tried one by one, which decide
    /// how far apart two windows may be and still be merged (see <see cref="CandidateWindows.Add"/>).
    /// </summary>
    public KeywordPrefilter(IReadOnlyList<Rule> rules, IReadOnlyList<int> leads, IReadOnlyList<int> reach, IReadOnlyList<bool> tryEach)
    {
        var byKeyword = new Dictionary<string, List<(int Rule, int Lead, bool WordStart)>>(StringComparer.OrdinalIgnoreCase);
        _alwaysRuns = new bool[rules.Count];
        var maxLead = new int[rules.Count];
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

                var lead = rules[i].KeywordOffsets?.TryGetValue(keyword, out var own) == true ? Math.Clamp(own, 0, leads[i]) : leads[i];
                var wordStart = rules[i].WordKeywords?.Contains(keyword) == true;
                var existing = list.FindIndex(e => e.Rule == i);
                if (existing < 0)
                {
                    list.Add((i, lead, wordStart));
                }
                else
                {
                    list[existing] = (i, Math.Max(list[existing].Lead, lead), list[existing].WordStart && wordStart);
                }

                maxLead[i] = Math.Max(maxLead[i], lead);
            }
        }

        var keywordList = byKeyword.Keys.ToArray();
        _rulesOfKeyword = [.. keywordList.Select(k => byKeyword[k].ToArray())];
        _automaton = keywordList.Length == 0 ? null : new KeywordAutomaton(keywordList);
        AnyAlwaysRuns = _alwaysRuns.Contains(true);

        // A search reads a rule's reach past a window anyway, so windows that close are searched as one; places
        // tried one by one gain nothing from merging.
        _gap = [.. Enumerable.Range(0, rules.Count).Select(i => tryEach[i] && maxLead[i] <= RuleSet.MaxLeadTriedEach ? 1 : reach[i])];
        MaxKeywordLength = keywordList.Length == 0 ? 0 : keywordList.Max(k => k.Length);
    }

    public int MaxKeywordLength { get; }

    /// <summary>True when the rule has no keywords and so runs over all text.</summary>
    public bool AlwaysRuns(int rule) => _alwaysRuns[rule];

    /// <summary>True when some rule has no keywords.</summary>
    public bool AnyAlwaysRuns { get; }

    /// <summary>True when a rule may match the text: one has no keywords, or some keyword occurs.</summary>
    public bool MayMatch(ReadOnlySpan<char> text) => AnyAlwaysRuns || (_automaton is not null && _automaton.Any(text));

    /// <summary>
    /// For each keyword occurrence starting at or after <paramref name="from"/>, adds to its rules the window of
    /// message offsets (<paramref name="baseOffset"/> + index) where a match containing it may start.
    /// Allocates the windows on the first occurrence only.
    /// </summary>
    public void Collect(ReadOnlySpan<char> text, int from, long baseOffset, int ruleCount, ref CandidateWindows? windows)
    {
        if (_automaton is null)
        {
            return;
        }

        var state = new CollectState(this, baseOffset, ruleCount, windows);
        _automaton.FindAll(text, from, ref state, OnHit);
        windows = state.Windows;
    }

    private static void OnHit(int keyword, int start, char before, ref CollectState state)
    {
        var at = state.BaseOffset + start;
        var inWord = char.IsAsciiLetterOrDigit(before) || before == '_';
        foreach (var (rule, lead, wordStart) in state.Prefilter._rulesOfKeyword[keyword])
        {
            if (wordStart && inWord)
            {
                continue;
            }

            state.Windows ??= state.Prefilter.RentWindows(state.RuleCount);
            state.Windows.Add(rule, Math.Max(0, at - lead), at, state.Prefilter._gap[rule]);
        }
    }

    // Spare windows for the next scans: each body's scan would otherwise grow its lists anew. A few slots, taken and
    // filled without a lock; when all are taken or full, windows are made or left to the collector.
    private const int SpareSlots = 16;
    private const int MaxKeptWindows = 1024;
    private readonly CandidateWindows?[] _spares = new CandidateWindows?[SpareSlots];

    private CandidateWindows RentWindows(int ruleCount)
    {
        for (var i = 0; i < _spares.Length; i++)
        {
            if (Volatile.Read(ref _spares[i]) is not null && Interlocked.Exchange(ref _spares[i], null) is { } spare)
            {
                if (spare.RuleCount == ruleCount)
                {
                    return spare;
                }
            }
        }

        return new CandidateWindows(ruleCount);
    }

    /// <summary>Hands back windows <see cref="Collect"/> made, once the scan they were made for no longer uses them.</summary>
    public void ReturnWindows(CandidateWindows? windows)
    {
        if (windows is null)
        {
            return;
        }

        windows.Clear(MaxKeptWindows);
        for (var i = 0; i < _spares.Length; i++)
        {
            if (Volatile.Read(ref _spares[i]) is null && Interlocked.CompareExchange(ref _spares[i], windows, null) is null)
            {
                return;
            }
        }
    }

    private struct CollectState(KeywordPrefilter prefilter, long baseOffset, int ruleCount, CandidateWindows? windows)
    {
        public readonly KeywordPrefilter Prefilter = prefilter;
        public readonly long BaseOffset = baseOffset;
        public readonly int RuleCount = ruleCount;
        public CandidateWindows? Windows = windows;
    }
}
