using System.Globalization;
using System.Text;

namespace ClawSec.Core.Detection;

/// <summary>
/// Rewrites a Go RE2 pattern (gitleaks' rules) into a .NET pattern with the same meaning, and bounds the length of
/// its matches. What .NET spells differently is rewritten: named groups <c>(?P&lt;n&gt;…)</c> become plain groups (so
/// group numbers stay those of RE2, where a named group is numbered in place), POSIX classes such as
/// <c>[[:alnum:]]</c> become ranges, <c>\d \s \w</c> and their negations become the ASCII sets RE2 means, <c>$</c>
/// outside multiline mode becomes <c>\z</c>, <c>\x{…}</c> and <c>\Q…\E</c> are spelled out. What has no
/// equivalent (<c>(?U)</c>, backreference-like escapes, Unicode scripts) is refused with a reason rather than
/// compiled into something else. One difference remains: <c>\b</c> uses .NET's Unicode word characters, so it
/// differs from RE2 only next to non-ASCII letters and digits.
/// </summary>
internal sealed class Re2Translator
{
    private const string Digit = "0-9";
    private const string Space = @"\t\n\f\r ";
    private const string Word = "0-9A-Za-z_";

    private static readonly Dictionary<string, string> Posix = new(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z",
        ["alpha"] = "A-Za-z",
        ["ascii"] = @"\x00-\x7F",
        ["blank"] = @"\t ",
        ["cntrl"] = @"\x00-\x1F\x7F",
        ["digit"] = Digit,
        ["graph"] = @"!-~",
        ["lower"] = "a-z",
        ["print"] = @" -~",
        ["punct"] = @"!-/:-@\[-`{-~",
        ["space"] = @"\t\n\v\f\r ",
        ["upper"] = "A-Z",
        ["word"] = Word,
        ["xdigit"] = "0-9A-Fa-f",
    };

    private readonly string _pattern;
    private readonly StringBuilder _out = new();
    private int _at;

    private Re2Translator(string pattern) => _pattern = pattern;

    /// <summary>
    /// The .NET pattern and the most characters a match can span (null: no bound), or the reason the pattern
    /// cannot be translated.
    /// </summary>
    public static (string? Pattern, long? MaxLength, string? Error) Translate(string re2)
    {
        var translator = new Re2Translator(re2);
        try
        {
            var max = translator.Alternation(multiline: false, depth: 0);
            if (translator._at < re2.Length)
            {
                throw new FormatException($"unmatched ')' at {translator._at}");
            }

            return (translator._out.ToString(), max, null);
        }
        catch (FormatException e)
        {
            return (null, null, e.Message);
        }
    }

    private bool AtEnd => _at >= _pattern.Length;

    private char Peek => _pattern[_at];

    // Lengths: null is unbounded; bounded ones saturate far above any reach a rule can have.
    private static long? Add(long? a, long? b) => a is null || b is null ? null : Math.Min(a.Value + b.Value, int.MaxValue);

    private static long? Times(long? a, long? count) =>
        a == 0 ? 0 : a is null || count is null ? null : Math.Min(a.Value * count.Value, int.MaxValue);

    private long? Alternation(bool multiline, int depth)
    {
        long? max = Concatenation(ref multiline, depth);
        while (!AtEnd && Peek == '|')
        {
            _out.Append('|');
            _at++;
            var branch = Concatenation(ref multiline, depth);
            max = max is null || branch is null ? null : Math.Max(max.Value, branch.Value);
        }

        return max;
    }

    // Inline flags such as (?m) hold to the end of the enclosing group, across its later alternatives too.
    private long? Concatenation(ref bool multiline, int depth)
    {
        long? total = 0;
        while (!AtEnd && Peek != '|' && Peek != ')')
        {
            var atom = Atom(ref multiline, depth);
            total = Add(total, Quantifier(atom));
        }

        return total;
    }

    private long? Quantifier(long? atom)
    {
        if (AtEnd)
        {
            return atom;
        }

        long? count;
        switch (Peek)
        {
            case '*':
            case '+':
                count = null;
                _out.Append(Peek);
                _at++;
                break;
            case '?':
                count = 1;
                _out.Append('?');
                _at++;
                break;
            case '{' when TryRepeat(out var min, out var max, out var text):
                if (max is { } m && m < min)
                {
                    throw new FormatException($"invalid repeat count {text}");
                }

                count = max;
                _out.Append(text);
                break;
            default:
                return atom;
        }

        if (!AtEnd && Peek == '?')
        {
            _out.Append('?');
            _at++;
        }

        if (!AtEnd && Peek is '*' or '+' or '?' || (!AtEnd && Peek == '{' && TryRepeat(out _, out _, out _)))
        {
            throw new FormatException($"invalid nested repetition operator at {_at}");
        }

        return Times(atom, count);
    }

    private bool TryRepeat(out int min, out int? max, out string text)
    {
        min = 0;
        max = null;
        text = "";
        var end = _pattern.IndexOf('}', _at);
        if (end < 0)
        {
            return false;
        }

        var body = _pattern.AsSpan(_at + 1, end - _at - 1);
        var comma = body.IndexOf(',');
        var low = comma < 0 ? body : body[..comma];
        if (!int.TryParse(low, NumberStyles.None, CultureInfo.InvariantCulture, out min))
        {
            return false;
        }

        if (comma < 0)
        {
            max = min;
        }
        else if (comma < body.Length - 1)
        {
            if (!int.TryParse(body[(comma + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var high))
            {
                return false;
            }

            max = high;
        }

        text = _pattern[_at..(end + 1)];
        _at = end + 1;
        return true;
    }

    private long? Atom(ref bool multiline, int depth)
    {
        var c = Peek;
        switch (c)
        {
            case '(':
                return Group(ref multiline, depth);
            case '[':
                Class();
                return 1;
            case '\\':
                return Escape(inClass: false);
            case '.':
                _out.Append('.');
                _at++;
                return 1;
            case '^':
                _out.Append('^');
                _at++;
                return 0;
            case '$':
                // RE2's $ outside multiline mode is the end of the text only; .NET's also matches before a final \n.
                _out.Append(multiline ? "$" : @"\z");
                _at++;
                return 0;
            case '*' or '+' or '?':
                throw new FormatException($"missing argument to repetition operator at {_at}");
            default:
                _at++;
                if (char.IsHighSurrogate(c) && !AtEnd && char.IsLowSurrogate(Peek))
                {
                    // One code point: keep it whole under a quantifier.
                    _out.Append("(?:").Append(c).Append(Peek).Append(')');
                    _at++;
                    return 2;
                }

                AppendLiteral(c);
                return 1;
        }
    }

    private void AppendLiteral(char c)
    {
        if (c is '#' or ' ' or '{' or '}')
        {
            // Literal in both; escaped so that no option or following text can give them another meaning.
            _out.Append('\\').Append(c);
        }
        else
        {
            _out.Append(c);
        }
    }

    private long? Group(ref bool multiline, int depth)
    {
        if (depth > 100)
        {
            throw new FormatException("groups nested too deeply");
        }

        _at++;
        var innerMultiline = multiline;
        if (!AtEnd && Peek == '?')
        {
            _at++;
            if (StartsWith("P<") || (StartsWith("<") && !StartsWith("<=") && !StartsWith("<!")))
            {
                // A named group, kept as a numbered one in its RE2 place.
                _at = _pattern.IndexOf('>', _at) is var close and >= 0 ? close + 1 : throw new FormatException("invalid named capture");
                _out.Append('(');
            }
            else
            {
                var flagsEnd = _at;
                while (flagsEnd < _pattern.Length && _pattern[flagsEnd] is 'i' or 'm' or 's' or 'U' or '-')
                {
                    flagsEnd++;
                }

                if (flagsEnd >= _pattern.Length || _pattern[flagsEnd] is not (':' or ')'))
                {
                    throw new FormatException($"invalid or unsupported Perl syntax at {_at - 2}: \"{_pattern[(_at - 2)..Math.Min(_pattern.Length, _at + 2)]}\"");
                }

                var flags = _pattern[_at..flagsEnd];
                if (flags.Contains('U', StringComparison.Ordinal))
                {
                    throw new FormatException("the ungreedy flag (?U) has no .NET equivalent");
                }

                var on = flags.Split('-')[0];
                var off = flags.Contains('-', StringComparison.Ordinal) ? flags[(flags.IndexOf('-', StringComparison.Ordinal) + 1)..] : "";
                var setsMultiline = on.Contains('m', StringComparison.Ordinal) ? true : off.Contains('m', StringComparison.Ordinal) ? false : (bool?)null;
                _at = flagsEnd + 1;
                if (_pattern[flagsEnd] == ')')
                {
                    // (?flags): applies to the rest of the enclosing group.
                    _out.Append("(?").Append(flags).Append(')');
                    multiline = setsMultiline ?? multiline;
                    return 0;
                }

                innerMultiline = setsMultiline ?? multiline;
                _out.Append("(?").Append(flags).Append(':');
            }
        }
        else
        {
            _out.Append('(');
        }

        var max = Alternation(innerMultiline, depth + 1);
        if (AtEnd || Peek != ')')
        {
            throw new FormatException("missing closing )");
        }

        _out.Append(')');
        _at++;
        return max;
    }

    private bool StartsWith(string text) => _pattern.AsSpan(_at).StartsWith(text, StringComparison.Ordinal);

    /// <summary>An escape outside a class, or a class escape (written into a class body by the caller).</summary>
    private long? Escape(bool inClass)
    {
        _at++;
        if (AtEnd)
        {
            throw new FormatException("trailing backslash at end of expression");
        }

        var c = Peek;
        _at++;
        switch (c)
        {
            case 'd':
                _out.Append(inClass ? Digit : $"[{Digit}]");
                return 1;
            case 'D':
                _out.Append($"[^{Digit}]");
                return 1;
            case 's':
                _out.Append(inClass ? Space : $"[{Space}]");
                return 1;
            case 'S':
                _out.Append($"[^{Space}]");
                return 1;
            case 'w':
                _out.Append(inClass ? Word : $"[{Word}]");
                return 1;
            case 'W':
                _out.Append($"[^{Word}]");
                return 1;
            case 'b' or 'B' or 'A' or 'z' when !inClass:
                _out.Append('\\').Append(c);
                return 0;
            case 'a' or 'f' or 't' or 'n' or 'r' or 'v':
                _out.Append('\\').Append(c);
                return 1;
            case 'x':
                return HexEscape(inClass);
            case 'p' or 'P':
                UnicodeClass(c);
                return 1;
            case 'Q' when !inClass:
                return Quoted();
            case >= '0' and <= '9':
                throw new FormatException($"octal and backreference escapes (\\{c}) are not supported");
            default:
                if (char.IsAsciiLetterOrDigit(c))
                {
                    throw new FormatException($"invalid escape sequence \\{c}");
                }

                _out.Append('\\').Append(c);
                return 1;
        }
    }

    private long? HexEscape(bool inClass)
    {
        int value;
        if (!AtEnd && Peek == '{')
        {
            var close = _pattern.IndexOf('}', _at);
            if (close < 0 || !int.TryParse(_pattern.AsSpan(_at + 1, close - _at - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
                || value > 0x10FFFF)
            {
                throw new FormatException("invalid \\x{…} escape");
            }

            _at = close + 1;
        }
        else if (_at + 2 <= _pattern.Length
                 && int.TryParse(_pattern.AsSpan(_at, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value))
        {
            _at += 2;
        }
        else
        {
            throw new FormatException("invalid \\x escape");
        }

        if (value <= 0xFFFF)
        {
            _out.Append(CultureInfo.InvariantCulture, $"\\u{value:X4}");
            return 1;
        }

        if (inClass)
        {
            throw new FormatException("a character beyond U+FFFF inside a class has no .NET equivalent");
        }

        var pair = char.ConvertFromUtf32(value);
        _out.Append(CultureInfo.InvariantCulture, $"(?:\\u{(int)pair[0]:X4}\\u{(int)pair[1]:X4})");
        return 2;
    }

    private void UnicodeClass(char p)
    {
        string name;
        if (!AtEnd && Peek == '{')
        {
            var close = _pattern.IndexOf('}', _at);
            if (close < 0)
            {
                throw new FormatException("invalid \\p{…} escape");
            }

            name = _pattern[(_at + 1)..close];
            _at = close + 1;
        }
        else if (!AtEnd)
        {
            name = Peek.ToString();
            _at++;
        }
        else
        {
            throw new FormatException("invalid \\p escape");
        }

        var negated = name.StartsWith('^');
        name = negated ? name[1..] : name;

        // General categories mean the same in both; RE2's script names (Greek, Han) are not .NET's block names.
        if (name is not ("L" or "Lu" or "Ll" or "Lt" or "Lm" or "Lo" or "M" or "Mn" or "Mc" or "Me" or "N" or "Nd" or "Nl"
            or "No" or "P" or "Pc" or "Pd" or "Ps" or "Pe" or "Pi" or "Pf" or "Po" or "S" or "Sm" or "Sc" or "Sk" or "So"
            or "Z" or "Zs" or "Zl" or "Zp" or "C" or "Cc" or "Cf" or "Cs" or "Co" or "Cn"))
        {
            throw new FormatException($"the Unicode class \\p{{{name}}} has no .NET equivalent");
        }

        _out.Append('\\').Append(negated ^ (p == 'P') ? 'P' : 'p').Append('{').Append(name).Append('}');
    }

    private long? Quoted()
    {
        var end = _pattern.IndexOf(@"\E", _at, StringComparison.Ordinal);
        var literal = end < 0 ? _pattern[_at..] : _pattern[_at..end];
        _at = end < 0 ? _pattern.Length : end + 2;
        _out.Append("(?:").Append(System.Text.RegularExpressions.Regex.Escape(literal)).Append(')');
        return literal.Length;
    }

    /// <summary>
    /// A bracket expression. Members are copied with RE2's class escapes and POSIX classes spelled out; a negated
    /// one (<c>\S</c>, <c>[:^alpha:]</c>) is the complement of an ASCII set, which .NET expresses by subtraction:
    /// [M ∪ ¬A] is "anything but (A minus M)".
    /// </summary>
    private void Class()
    {
        _at++;
        var negated = !AtEnd && Peek == '^';
        if (negated)
        {
            _at++;
        }

        var members = new StringBuilder();
        string? complementOf = null;
        var first = true;
        while (true)
        {
            if (AtEnd)
            {
                throw new FormatException("missing closing ]");
            }

            var c = Peek;
            if (c == ']' && !first)
            {
                _at++;
                break;
            }

            first = false;
            if (c == '[' && StartsWith("[:"))
            {
                var close = _pattern.IndexOf(":]", _at + 2, StringComparison.Ordinal);
                var name = close < 0 ? null : _pattern[(_at + 2)..close];
                var negatedPosix = name?.StartsWith('^') == true;
                if (name is null || !Posix.TryGetValue(negatedPosix ? name[1..] : name, out var set))
                {
                    throw new FormatException($"invalid POSIX class at {_at}");
                }

                _at = close + 2;
                if (negatedPosix)
                {
                    complementOf = complementOf is null ? set : throw new FormatException("two negated classes in one bracket expression");
                }
                else
                {
                    members.Append(set);
                }
            }
            else if (c == '\\' && _at + 1 < _pattern.Length && _pattern[_at + 1] is 'D' or 'S' or 'W')
            {
                var set = _pattern[_at + 1] switch { 'D' => Digit, 'S' => Space, _ => Word };
                _at += 2;
                complementOf = complementOf is null ? set : throw new FormatException("two negated classes in one bracket expression");
            }
            else if (c == '\\')
            {
                var mark = _out.Length;
                Escape(inClass: true);
                members.Append(_out, mark, _out.Length - mark);
                _out.Length = mark;
            }
            else if (c == '[')
            {
                // A literal in RE2; in .NET "-[" would start a subtraction.
                members.Append(@"\[");
                _at++;
            }
            else if (char.IsHighSurrogate(c))
            {
                throw new FormatException("a character beyond U+FFFF inside a class has no .NET equivalent");
            }
            else
            {
                members.Append(c);
                _at++;
            }
        }

        if (complementOf is null)
        {
            _out.Append(negated ? "[^" : "[").Append(members).Append(']');
        }
        else if (members.Length == 0)
        {
            _out.Append(negated ? "[" : "[^").Append(complementOf).Append(']');
        }
        else if (negated)
        {
            _out.Append('[').Append(complementOf).Append("-[").Append(members).Append("]]");
        }
        else
        {
            _out.Append(@"[\s\S-[").Append(complementOf).Append("-[").Append(members).Append("]]]");
        }
    }
}
