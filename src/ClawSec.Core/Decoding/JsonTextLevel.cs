using System.Buffers;
using System.Globalization;

namespace ClawSec.Core.Decoding;

/// <summary>
/// One level of <see cref="JsonStringExtractor"/>: copies JSON text to the output with the escapes of its strings
/// undone. The content of each string goes through the next level, which does the same if that content is JSON
/// again. Text that is not JSON passes through unchanged.
/// </summary>
internal sealed class JsonTextLevel
{
    /// <summary>Levels of JSON inside JSON strings that are unescaped; deeper strings are copied as they are.</summary>
    internal const int MaxDepth = 6;

    private static readonly SearchValues<char> Whitespace = SearchValues.Create(" \t\r\n\uFEFF");

    // Everything that may stand between strings in JSON: whitespace, punctuation, numbers, true, false and null.
    private static readonly SearchValues<char> OutsideStrings = SearchValues.Create(" \t\r\n{}[],:0123456789+-.eEtrufalsn");

    private static readonly SearchValues<char> QuoteOrBackslash = SearchValues.Create("\"\\");

    private readonly TextOutput _output;
    private readonly int _depth;
    private readonly char[] _hexDigits = new char[4];
    private JsonTextLevel? _inner;
    private Mode _mode;
    private bool _inString;

    // Where the current string's content goes, decided by its first character: most strings are plain text and
    // skip the next level.
    private Route _route;

    // 0 outside an escape; 1 after a backslash; 2 to 5 after "\u" and that many minus two hex digits.
    private int _escape;

    public JsonTextLevel(TextOutput output, int depth)
    {
        _output = output;
        _depth = depth;
    }

    private enum Route
    {
        Undecided,
        Output,
        NextLevel,
    }

    private enum Mode
    {
        /// <summary>Before the first character that is not whitespace, which decides between the other two.</summary>
        Sniffing,
        Json,
        PassThrough,
    }

    public void Push(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            switch (_mode)
            {
                case Mode.PassThrough:
                    _output.Append(text);
                    return;
                case Mode.Sniffing:
                    int start = text.IndexOfAnyExcept(Whitespace);
                    if (start < 0)
                    {
                        _output.Append(text);
                        return;
                    }

                    _output.Append(text[..start]);
                    text = text[start..];
                    _mode = text[0] is '{' or '[' ? Mode.Json : Mode.PassThrough;
                    break;
                default:
                    text = _inString ? InString(text) : OutsideString(text);
                    break;
            }
        }
    }

    /// <summary>The text has ended: an escape left open is copied as it came.</summary>
    public void Complete()
    {
        if (_inString)
        {
            FlushOpenEscape();
            EndContent();
        }

        _mode = Mode.Sniffing;
        _inString = false;
        _escape = 0;
    }

    private ReadOnlySpan<char> OutsideString(ReadOnlySpan<char> text)
    {
        int stop = text.IndexOfAnyExcept(OutsideStrings);
        if (stop < 0)
        {
            _output.Append(text);
            return default;
        }

        _output.Append(text[..stop]);
        if (text[stop] != '"')
        {
            // Not JSON after all (or no longer): from here on the text is copied as it is.
            _mode = Mode.PassThrough;
            return text[stop..];
        }

        _output.Append('"');
        _inString = true;
        _route = _depth < MaxDepth ? Route.Undecided : Route.Output;
        return text[(stop + 1)..];
    }

    private ReadOnlySpan<char> InString(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (_escape != 0)
            {
                text = ContinueEscape(text);
                continue;
            }

            int stop = text.IndexOfAny(QuoteOrBackslash);
            if (stop < 0)
            {
                Content(text);
                return default;
            }

            Content(text[..stop]);
            if (text[stop] == '"')
            {
                EndContent();
                _inString = false;
                _output.Append('"');
                return text[(stop + 1)..];
            }

            _escape = 1;
            text = text[(stop + 1)..];
        }

        return default;
    }

    private ReadOnlySpan<char> ContinueEscape(ReadOnlySpan<char> text)
    {
        char c = text[0];
        if (_escape == 1)
        {
            _escape = 0;
            char? unescaped = c switch
            {
                '"' or '\\' or '/' => c,
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => null,
            };
            if (unescaped is { } single)
            {
                Content(single);
            }
            else if (c == 'u')
            {
                _escape = 2;
            }
            else
            {
                // Not an escape JSON knows: keep it as written.
                Content('\\');
                Content(c);
            }

            return text[1..];
        }

        if (!char.IsAsciiHexDigit(c))
        {
            // A broken \u escape is kept as written; the character that broke it is read normally.
            FlushOpenEscape();
            return text;
        }

        _hexDigits[_escape - 2] = c;
        _escape++;
        if (_escape == 6)
        {
            _escape = 0;
            Content((char)ushort.Parse(_hexDigits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }

        return text[1..];
    }

    private void FlushOpenEscape()
    {
        if (_escape == 0)
        {
            return;
        }

        Content('\\');
        if (_escape >= 2)
        {
            Content('u');
            Content(_hexDigits.AsSpan(0, _escape - 2));
        }

        _escape = 0;
    }

    private void Content(char c) => Content(new ReadOnlySpan<char>(in c));

    private void Content(ReadOnlySpan<char> content)
    {
        if (content.IsEmpty)
        {
            return;
        }

        if (_route == Route.Undecided)
        {
            // Content that starts like JSON (or with whitespace, which may come before JSON) goes to the next level.
            _route = content[0] is '{' or '[' || Whitespace.Contains(content[0]) ? Route.NextLevel : Route.Output;
            if (_route == Route.NextLevel)
            {
                _inner ??= new JsonTextLevel(_output, _depth + 1);
            }
        }

        if (_route == Route.NextLevel)
        {
            _inner!.Push(content);
        }
        else
        {
            _output.Append(content);
        }
    }

    private void EndContent()
    {
        if (_route == Route.NextLevel)
        {
            _inner!.Complete();
        }

        _route = Route.Undecided;
    }
}
