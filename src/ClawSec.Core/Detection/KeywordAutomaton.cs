using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClawSec.Core.Detection;

/// <summary>
/// Finds every occurrence of a set of keywords in one pass over a text, as a dense Aho-Corasick automaton: one table
/// lookup per character whatever the number of keywords. ASCII letters compare ignoring case; other characters
/// exactly. Immutable; thread-safe.
/// </summary>
/// <remarks>
/// A vectorised multi-string search is faster for a handful of keywords, but with the hundred and more of a rule
/// pack, many of them two or three characters long, it falls back to checking nearly every position; a table walk
/// costs the same per character for any set.
/// </remarks>
internal sealed class KeywordAutomaton
{
    // Per UTF-16 code unit, its class: characters of no keyword share class 0; an upper-case ASCII letter has its
    // lower case's class.
    private readonly ushort[] _class = new ushort[char.MaxValue + 1];
    private readonly int _classCount;

    // _next[state * _classCount + class]: the state after reading a character of that class, times _classCount,
    // so that a step is one addition and one load. States where keywords end are numbered last, from
    // _firstAccepting / _classCount on, so that a step tests for a hit with one comparison.
    private readonly int[] _next;
    private readonly int _firstAccepting;

    // Per state, the keywords ending there (its own and those of its suffixes); null when none.
    private readonly int[]?[] _output;

    public KeywordAutomaton(IReadOnlyList<string> keywords)
    {
        Keywords = [.. keywords];
        MaxKeywordLength = keywords.Count == 0 ? 0 : keywords.Max(k => k.Length);
        var classes = 1;
        foreach (var c in keywords.SelectMany(k => k))
        {
            var folded = Fold(c);
            if (_class[folded] == 0)
            {
                _class[folded] = (ushort)classes++;
            }
        }

        for (var c = 'A'; c <= 'Z'; c++)
        {
            _class[c] = _class[c + 32];
        }

        // What a case-insensitive regex also takes for k and s: the Kelvin sign and the long s (see Fold).
        _class['\u212A'] = _class['k'];
        _class['\u017F'] = _class['s'];

        _classCount = classes;
        (_next, _output, _firstAccepting) = Build(keywords);
    }

    // Below this many characters a stretch, the text is walked in one.
    private const int MinLane = 256;
    private const int Lanes = 4;

    public string[] Keywords { get; }

    public int MaxKeywordLength { get; }

    /// <summary>
    /// Calls <paramref name="onHit"/> with (keyword, index of its first character, the character before it or
    /// <c>'\0'</c> at the start of the text) for every occurrence that starts at or after <paramref name="from"/>.
    /// Occurrences come in order of where they start, give or take the length of a keyword.
    /// </summary>
    public void FindAll<TState>(ReadOnlySpan<char> text, int from, ref TState state, HitHandler<TState> onHit)
    {
        var lane = (text.Length - from) / Lanes;
        if (lane < MinLane)
        {
            Walk(text, from, text.Length, int.MaxValue, 0, ref state, onHit);
            return;
        }

        // Each step of a walk waits for the load of the step before; four stretches of the text walked together
        // overlap those waits. A stretch is walked on past its end far enough to see a keyword that starts in it.
        // Hits are logged outside the walking loop: a call inside it made the compiler keep the states in memory.
        ref var next = ref MemoryMarshal.GetArrayDataReference(_next);
        ref var classOf = ref MemoryMarshal.GetArrayDataReference(_class);
        ref var chars = ref MemoryMarshal.GetReference(text);
        var firstAccepting = _firstAccepting;
        int p0 = from, p1 = from + lane, p2 = from + (2 * lane), p3 = from + (3 * lane);
        var log = new HitLog(stackalloc int[HitLog.InlineCapacity]);
        var lanes = default(LaneStates);
        var i = 0;
        while ((i = WalkLanes(ref next, ref classOf, ref Unsafe.Add(ref chars, p0), lane, i, firstAccepting, ref lanes)) < lane)
        {
            log.Add(0, p0 + i, lanes.S0, firstAccepting);
            log.Add(1, p1 + i, lanes.S1, firstAccepting);
            log.Add(2, p2 + i, lanes.S2, firstAccepting);
            log.Add(3, p3 + i, lanes.S3, firstAccepting);
            i++;
        }

        var ends = (stackalloc int[Lanes] { p1, p2, p3, text.Length });
        var states = (stackalloc int[Lanes] { lanes.S0, lanes.S1, lanes.S2, lanes.S3 });
        for (var k = 0; k < Lanes; k++)
        {
            for (var h = 0; h < log.Count; h++)
            {
                var (hitLane, end, hitState) = log[h];
                if (hitLane == k)
                {
                    Report(text, end, hitState, int.MaxValue, ref state, onHit);
                }
            }

            // The rest of the last stretch; past the end of the others, the keywords that start before it.
            var laneEnd = ends[k];
            var resume = from + (k * lane) + lane;
            var walkTo = k == Lanes - 1 ? text.Length : Math.Min(text.Length, laneEnd + MaxKeywordLength - 1);
            Walk(text, resume, walkTo, k == Lanes - 1 ? int.MaxValue : laneEnd, states[k], ref state, onHit);
        }

        log.Dispose();
    }

    /// <summary>
    /// Walks four stretches of <paramref name="lane"/> characters, starting at <paramref name="lane0"/>, from index
    /// <paramref name="i"/> on, until a step ends in an accepting state; returns that step's index, or
    /// <paramref name="lane"/>. The loop holds no call, so the four states stay in registers.
    /// </summary>
    private static int WalkLanes(ref int next, ref ushort classOf, ref char lane0, int lane, int i, int firstAccepting, ref LaneStates states)
    {
        // Native integers throughout: each step's load widens as it loads, and no index is widened in the loop.
        nint s0 = states.S0, s1 = states.S1, s2 = states.S2, s3 = states.S3;
        nint accepting = firstAccepting, end = lane, at = i;
        ref var lane1 = ref Unsafe.Add(ref lane0, lane);
        ref var lane2 = ref Unsafe.Add(ref lane1, lane);
        ref var lane3 = ref Unsafe.Add(ref lane2, lane);
        for (; at < end; at++)
        {
            s0 = Unsafe.Add(ref next, s0 + Unsafe.Add(ref classOf, Unsafe.Add(ref lane0, at)));
            s1 = Unsafe.Add(ref next, s1 + Unsafe.Add(ref classOf, Unsafe.Add(ref lane1, at)));
            s2 = Unsafe.Add(ref next, s2 + Unsafe.Add(ref classOf, Unsafe.Add(ref lane2, at)));
            s3 = Unsafe.Add(ref next, s3 + Unsafe.Add(ref classOf, Unsafe.Add(ref lane3, at)));
            if (s0 >= accepting || s1 >= accepting || s2 >= accepting || s3 >= accepting)
            {
                break;
            }
        }

        states.S0 = (int)s0;
        states.S1 = (int)s1;
        states.S2 = (int)s2;
        states.S3 = (int)s3;
        return (int)at;
    }

    private void Walk<TState>(ReadOnlySpan<char> text, int from, int to, int startsBefore, int current, ref TState state, HitHandler<TState> onHit)
    {
        ref var next = ref MemoryMarshal.GetArrayDataReference(_next);
        ref var classOf = ref MemoryMarshal.GetArrayDataReference(_class);
        ref var chars = ref MemoryMarshal.GetReference(text);
        var i = from;
        while ((i = WalkOne(ref next, ref classOf, ref chars, i, to, _firstAccepting, ref current)) < to)
        {
            Report(text, i, current, startsBefore, ref state, onHit);
            i++;
        }
    }

    /// <summary>As <see cref="WalkLanes"/> for one stretch, from <paramref name="i"/> to before <paramref name="to"/>.</summary>
    private static int WalkOne(ref int next, ref ushort classOf, ref char chars, int i, int to, int firstAccepting, ref int state)
    {
        nint current = state, accepting = firstAccepting, end = to, at = i;
        for (; at < end; at++)
        {
            current = Unsafe.Add(ref next, current + Unsafe.Add(ref classOf, Unsafe.Add(ref chars, at)));
            if (current >= accepting)
            {
                break;
            }
        }

        state = (int)current;
        return (int)at;
    }

    /// <summary>The states of the four stretches <see cref="WalkLanes"/> walks.</summary>
    private struct LaneStates
    {
        public int S0;
        public int S1;
        public int S2;
        public int S3;
    }

    private void Report<TState>(ReadOnlySpan<char> text, int end, int current, int startsBefore, ref TState state, HitHandler<TState> onHit)
    {
        foreach (var keyword in _output[current / _classCount]!)
        {
            var start = end - Keywords[keyword].Length + 1;
            if (start < startsBefore)
            {
                onHit(keyword, start, start > 0 ? text[start - 1] : '\0', ref state);
            }
        }
    }

    /// <summary>True when some keyword occurs in the text.</summary>
    public bool Any(ReadOnlySpan<char> text)
    {
        ref var next = ref MemoryMarshal.GetArrayDataReference(_next);
        ref var classOf = ref MemoryMarshal.GetArrayDataReference(_class);
        var current = 0;
        foreach (var c in text)
        {
            current = Unsafe.Add(ref next, current + Unsafe.Add(ref classOf, c));
            if (current >= _firstAccepting)
            {
                return true;
            }
        }

        return false;
    }

    private static char Fold(char c) => c switch
    {
        >= 'A' and <= 'Z' => (char)(c + 32),
        '\u212A' => 'k',
        '\u017F' => 's',
        _ => c,
    };

    private (int[] Next, int[]?[] Output, int FirstAccepting) Build(IReadOnlyList<string> keywords)
    {
        // The trie: goto[state][class], -1 for none.
        var trie = new List<int[]> { NewRow() };
        var ends = new List<List<int>> { new() };
        for (var k = 0; k < keywords.Count; k++)
        {
            var state = 0;
            foreach (var c in keywords[k])
            {
                var cls = ClassOfKeywordChar(c);
                if (trie[state][cls] < 0)
                {
                    trie[state][cls] = trie.Count;
                    trie.Add(NewRow());
                    ends.Add([]);
                }

                state = trie[state][cls];
            }

            ends[state].Add(k);
        }

        // Breadth first: each state's failure is the longest proper suffix that is also a trie state; missing
        // transitions become the failure's, which is what makes the automaton dense.
        var count = trie.Count;
        var next = new int[count * _classCount];
        var fail = new int[count];
        var output = new int[]?[count];
        var queue = new Queue<int>();
        for (var cls = 0; cls < _classCount; cls++)
        {
            var child = trie[0][cls];
            next[cls] = child < 0 ? 0 : child;
            if (child > 0)
            {
                fail[child] = 0;
                queue.Enqueue(child);
            }
        }

        output[0] = null;
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            var inherited = output[fail[state]];
            output[state] = ends[state].Count == 0 ? inherited : [.. ends[state], .. inherited ?? []];
            for (var cls = 0; cls < _classCount; cls++)
            {
                var child = trie[state][cls];
                if (child < 0)
                {
                    next[(state * _classCount) + cls] = next[(fail[state] * _classCount) + cls];
                }
                else
                {
                    next[(state * _classCount) + cls] = child;
                    fail[child] = next[(fail[state] * _classCount) + cls];
                    queue.Enqueue(child);
                }
            }
        }

        // Renumber: the root stays 0, states without output keep their order, states with output go last.
        var order = Enumerable.Range(0, count).OrderBy(state => output[state] is null ? 0 : 1).ThenBy(state => state).ToArray();
        var number = new int[count];
        for (var i = 0; i < count; i++)
        {
            number[order[i]] = i;
        }

        var renumbered = new int[next.Length];
        var outputs = new int[]?[count];
        for (var state = 0; state < count; state++)
        {
            outputs[number[state]] = output[state];
            for (var cls = 0; cls < _classCount; cls++)
            {
                renumbered[(number[state] * _classCount) + cls] = number[next[(state * _classCount) + cls]] * _classCount;
            }
        }

        var firstAccepting = order.TakeWhile(state => output[state] is null).Count();
        return (renumbered, outputs, firstAccepting * _classCount);

        int[] NewRow() => Enumerable.Repeat(-1, _classCount).ToArray();
    }

    private int ClassOfKeywordChar(char c) => _class[Fold(c)];
}

/// <summary>Receives one keyword occurrence: the keyword's index, where it starts and the character before it.</summary>
internal delegate void HitHandler<TState>(int keyword, int start, char before, ref TState state);
