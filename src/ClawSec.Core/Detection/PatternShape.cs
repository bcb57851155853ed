using System.Globalization;

namespace ClawSec.Core.Detection;

/// <summary>
/// The structure of a translated gitleaks pattern (the .NET subset <see cref="Re2Translator"/> writes: literals,
/// escapes, classes, groups, alternation, quantifiers, anchors), enough to answer two questions soundly: how far
/// from a match's start its keyword can begin (<see cref="KeywordLead"/>), and how much of the text a search needs to
/// see so that a match of unbounded length is still found, cut short (<see cref="TruncatableReach"/>). Anything
/// outside the subset yields no shape, and then no answer: the rule keeps the cautious defaults.
/// </summary>
internal sealed class PatternShape
{
    /// <summary>Most strings a part's language is spelled out to before it counts as too many to check.</summary>
    private const int LanguageCap = 256;

    private readonly Node _root;

    private PatternShape(Node root) => _root = root;

    private abstract record Node;

    /// <summary>One character of a set: its lower-case members when they are few and spelled out, else null.</summary>
    private sealed record Chars(string? Members) : Node;

    private sealed record Anchor(char Kind) : Node;

    private sealed record Seq(List<Node> Items) : Node;

    private sealed record Alt(List<Node> Branches) : Node;

    private sealed record Rep(Node Item, int Min, int? Max) : Node;

    /// <summary>The most characters a match can span; null: no bound.</summary>
    public long? MaxMatchLength => MaxLength(_root);

    /// <summary>The shape of a translated pattern, or null when it uses anything outside the subset.</summary>
    public static PatternShape? Parse(string pattern)
    {
        try
        {
            var parser = new Parser(pattern);
            var root = parser.Alternation();
            return parser.AtEnd ? new PatternShape(root) : null;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>
    /// An upper bound on how far from a match's start one of <paramref name="keywords"/> (lower case) begins: the
    /// first stretch of consecutive top-level parts every string of which holds a keyword (<c>ghp_</c>,
    /// <c>(?:access|token)</c>), plus the longest text the parts before it can match; null when no stretch is known
    /// to hold one.
    /// </summary>
    public int? KeywordLead(IReadOnlyList<string> keywords)
    {
        if (keywords.Count == 0)
        {
            return null;
        }

        var items = TopLevel(_root);
        long before = 0;
        for (var i = 0; i < items.Count; i++)
        {
            HashSet<string>? strings = [""];
            for (var j = i; j < items.Count && (strings = Product(strings, Language(items[j]))) is not null; j++)
            {
                if (FirstKeywordAtMost(strings, keywords) is { } offset)
                {
                    return (int)Math.Min(int.MaxValue, before + offset);
                }
            }

            if (MaxLength(items[i]) is not { } length || (before += length) > int.MaxValue)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>The latest place, over the strings, where the first keyword in a string begins; null if a string has none.</summary>
    private static int? FirstKeywordAtMost(HashSet<string> strings, IReadOnlyList<string> keywords)
    {
        var worst = 0;
        foreach (var s in strings)
        {
            var first = -1;
            foreach (var keyword in keywords)
            {
                var at = s.IndexOf(keyword, StringComparison.Ordinal);
                if (at >= 0 && (first < 0 || at < first))
                {
                    first = at;
                }
            }

            if (first < 0)
            {
                return null;
            }

            worst = Math.Max(worst, first);
        }

        return worst;
    }

    /// <summary>
    /// For a pattern of unbounded length whose match may end at the end of the text (its last part has a <c>\z</c>
    /// alternative, like gitleaks' <c>(?:[\s;]|$)</c>): how much text from a match's start a search must see so that
    /// any match is still found, ended where the text is cut. It is the pattern's longest match with each unbounded
    /// run at its shortest. Holds when each run is a repeated character set in the part before the last, followed
    /// only by parts that may be empty. Null for any other pattern.
    /// </summary>
    public int? TruncatableReach()
    {
        var items = TopLevel(_root);
        if (items.Count < 2 || MaxLength(_root) is not null || !EndsAtTextEnd(items[^1]))
        {
            return null;
        }

        if (MaxLength(items[^1]) is not { } total)
        {
            return null;
        }

        for (var i = 0; i < items.Count - 2; i++)
        {
            if (MaxLength(items[i]) is not { } length)
            {
                return null;
            }

            total += length;
        }

        var runPart = items[^2] is Alt alt ? alt.Branches : [items[^2]];
        long longestBranch = 0;
        foreach (var branch in runPart)
        {
            if (ShortestRunLength(branch) is not { } length)
            {
                return null;
            }

            longestBranch = Math.Max(longestBranch, length);
        }

        total += longestBranch;
        return total is < 0 or > int.MaxValue ? null : (int)total;
    }

    /// <summary>A branch's longest match with its one unbounded run (if any) counted at its minimum; null if it is not of that form.</summary>
    private static long? ShortestRunLength(Node branch)
    {
        var items = branch is Seq seq ? seq.Items : [branch];
        long total = 0;
        var afterRun = false;
        foreach (var item in items)
        {
            if (MaxLength(item) is { } length)
            {
                if (afterRun && MinLength(item) > 0)
                {
                    return null;
                }

                total += length;
            }
            else if (!afterRun && item is Rep { Item: Chars, Max: null } run)
            {
                total += run.Min;
                afterRun = true;
            }
            else
            {
                return null;
            }
        }

        return total;
    }

    private static bool EndsAtTextEnd(Node node) => node switch
    {
        Anchor { Kind: 'z' or '$' } => true,
        Alt alt => alt.Branches.Any(b => b is Anchor { Kind: 'z' or '$' } || (b is Seq s && s.Items.Count == 1 && EndsAtTextEnd(s.Items[0]))),
        Seq { Items.Count: 1 } seq => EndsAtTextEnd(seq.Items[0]),
        _ => false,
    };

    /// <summary>The parts of the pattern in order, groups that are plain sequences opened up (concatenation nests freely).</summary>
    private static List<Node> TopLevel(Node root)
    {
        var items = new List<Node>();
        Open(root);
        return items;

        void Open(Node node)
        {
            if (node is Seq seq)
            {
                seq.Items.ForEach(Open);
            }
            else
            {
                items.Add(node);
            }
        }
    }

    // Lengths saturate at int.MaxValue, far above any reach, so sums and products of nested parts cannot wrap.
    private static long? MaxLength(Node node) => node switch
    {
        Chars => 1,
        Anchor => 0,
        Seq seq => seq.Items.Aggregate((long?)0, (sum, item) => sum is null || MaxLength(item) is not { } l ? null : Math.Min(sum.Value + l, int.MaxValue)),
        Alt alt => alt.Branches.Aggregate((long?)0, (max, b) => max is null || MaxLength(b) is not { } l ? null : Math.Max(max.Value, l)),
        Rep rep => MaxLength(rep.Item) is not { } item ? null : item == 0 ? 0 : rep.Max is { } m ? Math.Min(item * m, int.MaxValue) : null,
        _ => null,
    };

    private static long MinLength(Node node) => node switch
    {
        Chars => 1,
        Seq seq => seq.Items.Aggregate(0L, (sum, item) => Math.Min(sum + MinLength(item), int.MaxValue)),
        Alt alt => alt.Branches.Count == 0 ? 0 : alt.Branches.Min(MinLength),
        Rep rep => Math.Min(MinLength(rep.Item) * rep.Min, int.MaxValue),
        _ => 0,
    };

    /// <summary>Every string the part matches (anchors ignored, lower case), or null when they are many or unbounded.</summary>
    private static HashSet<string>? Language(Node node)
    {
        switch (node)
        {
            case Chars { Members: { } members }:
                return [.. members.Select(c => c.ToString())];
            case Anchor:
                return [""];
            case Seq seq:
                HashSet<string>? strings = [""];
                foreach (var item in seq.Items)
                {
                    strings = Product(strings, Language(item));
                    if (strings is null)
                    {
                        return null;
                    }
                }

                return strings;
            case Alt alt:
                var union = new HashSet<string>(StringComparer.Ordinal);
                foreach (var branch in alt.Branches)
                {
                    if (Language(branch) is not { } part)
                    {
                        return null;
                    }

                    union.UnionWith(part);
                    if (union.Count > LanguageCap)
                    {
                        return null;
                    }
                }

                return union;
            case Rep { Max: { } max } rep when max <= 8:
                if (Language(rep.Item) is not { } once)
                {
                    return null;
                }

                var all = new HashSet<string>(StringComparer.Ordinal);
                HashSet<string>? repeated = [""];
                for (var n = 0; n <= max; n++)
                {
                    if (n >= rep.Min)
                    {
                        all.UnionWith(repeated);
                    }

                    if (all.Count > LanguageCap || (n < max && (repeated = Product(repeated, once)) is null))
                    {
                        return null;
                    }
                }

                return all;
            default:
                return null;
        }
    }

    private static HashSet<string>? Product(HashSet<string>? left, HashSet<string>? right)
    {
        if (left is null || right is null || (long)left.Count * right.Count > LanguageCap)
        {
            return null;
        }

        return [.. left.SelectMany(l => right.Select(r => l + r))];
    }

    /// <summary>A recursive-descent reader of the subset; throws <see cref="FormatException"/> outside it.</summary>
    private sealed class Parser(string pattern)
    {
        private int _at;

        public bool AtEnd => _at >= pattern.Length;

        private char Peek => pattern[_at];

        public Node Alternation()
        {
            var branches = new List<Node> { Concatenation() };
            while (!AtEnd && Peek == '|')
            {
                _at++;
                branches.Add(Concatenation());
            }

            return branches.Count == 1 ? branches[0] : new Alt(branches);
        }

        private Node Concatenation()
        {
            var items = new List<Node>();
            while (!AtEnd && Peek is not ('|' or ')'))
            {
                if (Atom() is { } atom)
                {
                    items.Add(Quantified(atom));
                }
            }

            return items.Count == 1 ? items[0] : new Seq(items);
        }

        private Node Quantified(Node atom)
        {
            if (AtEnd)
            {
                return atom;
            }

            (int Min, int? Max) count;
            switch (Peek)
            {
                case '*':
                    count = (0, null);
                    _at++;
                    break;
                case '+':
                    count = (1, null);
                    _at++;
                    break;
                case '?':
                    count = (0, 1);
                    _at++;
                    break;
                case '{':
                    count = Repeat();
                    break;
                default:
                    return atom;
            }

            if (!AtEnd && Peek == '?')
            {
                _at++;
            }

            return new Rep(atom, count.Min, count.Max);
        }

        private (int, int?) Repeat()
        {
            var end = pattern.IndexOf('}', _at);
            var body = end < 0 ? throw new FormatException("{") : pattern[(_at + 1)..end];
            _at = end + 1;
            var comma = body.IndexOf(',', StringComparison.Ordinal);
            var min = int.Parse(comma < 0 ? body : body[..comma], NumberStyles.None, CultureInfo.InvariantCulture);
            return comma < 0 ? (min, min)
                : comma == body.Length - 1 ? (min, null)
                : (min, int.Parse(body[(comma + 1)..], NumberStyles.None, CultureInfo.InvariantCulture));
        }

        /// <summary>The next atom, or null for an inline option group such as <c>(?i)</c>, which matches nothing.</summary>
        private Node? Atom()
        {
            var c = Peek;
            _at++;
            switch (c)
            {
                case '(':
                    return Group();
                case '[':
                    return Class();
                case '\\':
                    return Escape();
                case '.':
                    return new Chars(null);
                case '^':
                case '$':
                    return new Anchor(c);
                case '*' or '+' or '?' or '{':
                    throw new FormatException("quantifier without an atom");
                default:
                    return new Chars(char.ToLowerInvariant(c).ToString());
            }
        }

        private Node? Group()
        {
            if (!AtEnd && Peek == '?')
            {
                _at++;
                var flagsEnd = _at;
                while (flagsEnd < pattern.Length && pattern[flagsEnd] is 'i' or 'm' or 's' or 'n' or '-')
                {
                    flagsEnd++;
                }

                if (flagsEnd >= pattern.Length || pattern[flagsEnd] is not (':' or ')'))
                {
                    throw new FormatException("lookaround, named group or unknown option");
                }

                _at = flagsEnd + 1;
                if (pattern[flagsEnd] == ')')
                {
                    return null;
                }
            }

            var inner = Alternation();
            if (AtEnd || Peek != ')')
            {
                throw new FormatException("missing )");
            }

            _at++;
            return inner;
        }

        private Chars Class()
        {
            var members = new HashSet<char>();
            var many = false;
            if (!AtEnd && Peek == '^')
            {
                many = true;
                _at++;
            }

            var first = true;
            while (!AtEnd && (Peek != ']' || first))
            {
                first = false;
                var low = ClassChar(ref many);
                if (!AtEnd && Peek == '-' && _at + 1 < pattern.Length && pattern[_at + 1] != ']')
                {
                    _at++;
                    var high = ClassChar(ref many);
                    if (low is null || high is null || high - low > 8)
                    {
                        many = true;
                    }
                    else
                    {
                        for (var ch = low.Value; ch <= high.Value; ch++)
                        {
                            members.Add(char.ToLowerInvariant(ch));
                        }
                    }
                }
                else if (low is { } single)
                {
                    members.Add(char.ToLowerInvariant(single));
                }
            }

            if (AtEnd)
            {
                throw new FormatException("missing ]");
            }

            _at++;
            return new Chars(many ? null : new string([.. members.Order()]));
        }

        /// <summary>One character of a class body, or null for a shorthand such as <c>\w</c> (which makes the set many).</summary>
        private char? ClassChar(ref bool many)
        {
            var c = Peek;
            _at++;
            if (c == '[' && !AtEnd && Peek == ':')
            {
                throw new FormatException("POSIX class");
            }

            if (c != '\\')
            {
                return c;
            }

            var escaped = Escape();
            if (escaped is Chars { Members.Length: 1 } one)
            {
                return one.Members[0];
            }

            many = true;
            return null;
        }

        /// <summary>After a backslash: a character, a shorthand set or an anchor.</summary>
        private Node Escape()
        {
            if (AtEnd)
            {
                throw new FormatException("trailing backslash");
            }

            var c = Peek;
            _at++;
            switch (c)
            {
                case 'z' or 'Z' or 'A' or 'b' or 'B' or 'G':
                    return new Anchor(c == 'Z' ? 'z' : c);
                case 'w' or 'W' or 's' or 'S' or 'd' or 'D' or 'p' or 'P':
                    if (c is 'p' or 'P')
                    {
                        _at = pattern.IndexOf('}', _at) is var close and >= 0 ? close + 1 : throw new FormatException("\\p");
                    }

                    return new Chars(null);
                case 'n':
                    return new Chars("\n");
                case 'r':
                    return new Chars("\r");
                case 't':
                    return new Chars("\t");
                case 'f':
                    return new Chars("\f");
                case 'v':
                    return new Chars("\v");
                case 'e':
                    return new Chars("\u001b");
                case 'x':
                    return new Chars(char.ToLowerInvariant(Hex(2)).ToString());
                case 'u':
                    return new Chars(char.ToLowerInvariant(Hex(4)).ToString());
                default:
                    if (char.IsAsciiLetterOrDigit(c))
                    {
                        throw new FormatException($"escape \\{c}");
                    }

                    return new Chars(c.ToString());
            }
        }

        private char Hex(int digits)
        {
            if (_at + digits > pattern.Length)
            {
                throw new FormatException("short hex escape");
            }

            var value = int.Parse(pattern.AsSpan(_at, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            _at += digits;
            return (char)value;
        }
    }
}
