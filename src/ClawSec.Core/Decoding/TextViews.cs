using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Other readings of a text that hide what it says from a plain search: percent-encoding, form encoding, HTML
/// character references and base64 blobs. Each function is pure; <see cref="Decode"/> gives every reading that
/// differs from the text, for a scanner to search as well.
/// </summary>
public static class TextViews
{
    /// <summary>
    /// Base64 runs shorter than this are not decoded: 24 characters are 18 bytes, enough text to hold a short
    /// command or key, and short runs are mostly ordinary words and identifiers.
    /// </summary>
    public const int MinBase64Length = 24;

    // How much of a decoded blob must be printable text to count as text rather than binary data.
    private const double MinPrintableShare = 0.9;

    // Base64 inside base64 (a command that decodes and runs another) is decoded this many levels deep.
    private const int MaxBase64Depth = 3;

    private const int MaxEntityNameLength = 32;

    private static readonly SearchValues<char> Base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_");

    private static readonly Dictionary<string, string> NamedEntities = new(StringComparer.Ordinal)
    {
        ["amp"] = "&", ["lt"] = "<", ["gt"] = ">", ["quot"] = "\"", ["apos"] = "'", ["nbsp"] = "\u00A0",
        ["Tab"] = "\t", ["NewLine"] = "\n", ["excl"] = "!", ["num"] = "#", ["dollar"] = "$", ["percnt"] = "%",
        ["lpar"] = "(", ["rpar"] = ")", ["ast"] = "*", ["midast"] = "*", ["plus"] = "+", ["comma"] = ",",
        ["period"] = ".", ["sol"] = "/", ["colon"] = ":", ["semi"] = ";", ["equals"] = "=", ["quest"] = "?",
        ["commat"] = "@", ["lsqb"] = "[", ["lbrack"] = "[", ["bsol"] = "\\", ["rsqb"] = "]", ["rbrack"] = "]",
        ["Hat"] = "^", ["lowbar"] = "_", ["UnderBar"] = "_", ["grave"] = "`", ["DiacriticalGrave"] = "`",
        ["lcub"] = "{", ["lbrace"] = "{", ["verbar"] = "|", ["vert"] = "|", ["VerticalLine"] = "|",
        ["rcub"] = "}", ["rbrace"] = "}", ["copy"] = "©", ["reg"] = "®", ["trade"] = "™", ["hellip"] = "…",
        ["mdash"] = "—", ["ndash"] = "–", ["lsquo"] = "‘", ["rsquo"] = "’", ["ldquo"] = "“", ["rdquo"] = "”",
        ["laquo"] = "«", ["raquo"] = "»", ["middot"] = "·", ["bull"] = "•", ["deg"] = "°", ["times"] = "×",
        ["divide"] = "÷", ["euro"] = "€", ["pound"] = "£", ["yen"] = "¥", ["cent"] = "¢", ["sect"] = "§",
        ["para"] = "¶", ["shy"] = "\u00AD", ["zwj"] = "\u200D", ["zwnj"] = "\u200C", ["lrm"] = "\u200E",
        ["rlm"] = "\u200F",
    };

    /// <summary>Undoes percent-encoding; with <paramref name="plusAsSpace"/>, <c>+</c> is a space as in forms.</summary>
    /// <remarks>Escaped bytes are read as UTF-8; a <c>%</c> not followed by two hex digits is kept.</remarks>
    public static string PercentDecode(ReadOnlySpan<char> text, bool plusAsSpace = false)
    {
        if (!text.Contains('%') && !(plusAsSpace && text.Contains('+')))
        {
            return text.ToString();
        }

        if (!plusAsSpace)
        {
            return PercentDecoder.Decode(text, form: false);
        }

        // Decoding as a form would also turn '&' into a line feed, which only fields should get.
        var parts = new List<string>();
        foreach (var range in text.Split('&'))
        {
            parts.Add(PercentDecoder.Decode(text[range], form: true));
        }

        return string.Join('&', parts);
    }

    /// <summary>
    /// Decodes an <c>application/x-www-form-urlencoded</c> body into one <c>name=value</c> line per field, the
    /// same text <see cref="BodyDecoder"/> gives for such a body.
    /// </summary>
    public static string FormDecode(ReadOnlySpan<char> body) => PercentDecoder.Decode(body, form: true);

    /// <summary>The fields of an <c>application/x-www-form-urlencoded</c> body, decoded, in order; empty fields are skipped.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseForm(ReadOnlySpan<char> body)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var range in body.Split('&'))
        {
            var field = body[range];
            if (field.IsEmpty)
            {
                continue;
            }

            int equals = field.IndexOf('=');
            var name = equals < 0 ? field : field[..equals];
            var value = equals < 0 ? [] : field[(equals + 1)..];
            fields.Add(new(PercentDecode(name, plusAsSpace: true), PercentDecode(value, plusAsSpace: true)));
        }

        return fields;
    }

    /// <summary>
    /// Undoes HTML character references: numeric ones (<c>&amp;#47;</c>, <c>&amp;#x2F;</c>, the semicolon optional)
    /// and the named ones that matter for hiding text (punctuation such as <c>&amp;sol;</c> and <c>&amp;colon;</c>,
    /// quotes, dashes, invisible characters). <c>&amp;amp</c>, <c>&amp;lt</c>, <c>&amp;gt</c> and <c>&amp;quot</c>
    /// also count without a semicolon, as in browsers. Anything else is kept as written.
    /// </summary>
    public static string HtmlDecode(ReadOnlySpan<char> text)
    {
        int amp = text.IndexOf('&');
        if (amp < 0)
        {
            return text.ToString();
        }

        var decoded = new StringBuilder(text.Length);
        while (amp >= 0)
        {
            decoded.Append(text[..amp]);
            text = text[amp..];
            int used = AppendReference(text, decoded);
            if (used == 0)
            {
                decoded.Append('&');
                used = 1;
            }

            text = text[used..];
            amp = text.IndexOf('&');
        }

        return decoded.Append(text).ToString();
    }

    /// <summary>
    /// The text of every base64 or base64url blob in <paramref name="text"/> (a run of at least
    /// <see cref="MinBase64Length"/> characters of one alphabet, padded or not) that decodes to mostly printable
    /// UTF-8; blobs inside those are decoded too. Blobs that decode to binary data are left out.
    /// </summary>
    public static IReadOnlyList<string> Base64Texts(ReadOnlySpan<char> text)
    {
        List<string>? texts = null;
        AddBase64Texts(text, ref texts, depth: 1);
        return texts ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Every reading of <paramref name="text"/> that differs from it: percent-, HTML- and base64-decoded.</summary>
    public static IReadOnlyList<string> Decode(ReadOnlySpan<char> text)
    {
        // Most lines have no other reading: no list is made for them.
        List<string>? views = null;
        string? percent = HasPercentEscape(text) ? PercentDecode(text) : null;
        if (percent is not null)
        {
            (views ??= []).Add(percent);
        }

        if (HasReference(text))
        {
            var html = HtmlDecode(text);
            if (!text.SequenceEqual(html))
            {
                (views ??= []).Add(html);
            }
        }

        AddBase64Texts(text, ref views, depth: 1);
        if (percent is not null)
        {
            // Percent-encoding hides base64 too: '+', '/' and '=' are escaped in URLs.
            foreach (var blob in Base64Texts(percent))
            {
                if (!views!.Contains(blob))
                {
                    views.Add(blob);
                }
            }
        }

        return views ?? (IReadOnlyList<string>)[];
    }

    private static bool HasReference(ReadOnlySpan<char> text)
    {
        while (text.IndexOf('&') is var i and >= 0 && i + 1 < text.Length)
        {
            if (text[i + 1] == '#' || char.IsAsciiLetter(text[i + 1]))
            {
                return true;
            }

            text = text[(i + 1)..];
        }

        return false;
    }

    private static bool HasPercentEscape(ReadOnlySpan<char> text)
    {
        while (text.IndexOf('%') is var i and >= 0 && i + 2 < text.Length)
        {
            if (char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                return true;
            }

            text = text[(i + 1)..];
        }

        return false;
    }

    /// <summary>Appends the character a reference at the start of <paramref name="text"/> stands for; returns its length, or 0.</summary>
    private static int AppendReference(ReadOnlySpan<char> text, StringBuilder decoded)
    {
        if (text.Length > 2 && text[1] == '#')
        {
            bool hex = text[2] is 'x' or 'X';
            int start = hex ? 3 : 2;
            int end = start;
            long value = 0;
            while (end < text.Length && (hex ? char.IsAsciiHexDigit(text[end]) : char.IsAsciiDigit(text[end])))
            {
                // Past the largest code point the exact value no longer matters.
                value = Math.Min((value * (hex ? 16 : 10)) + DigitValue(text[end]), 0x110000);
                end++;
            }

            if (end == start)
            {
                return 0;
            }

            bool valid = value is > 0 and < 0x110000 && !(value is >= 0xD800 and <= 0xDFFF);
            decoded.Append(valid ? char.ConvertFromUtf32((int)value) : "\uFFFD");
            return end < text.Length && text[end] == ';' ? end + 1 : end;
        }

        int nameEnd = 1;
        while (nameEnd < text.Length && nameEnd <= MaxEntityNameLength && char.IsAsciiLetterOrDigit(text[nameEnd]))
        {
            nameEnd++;
        }

        var name = text[1..nameEnd].ToString();
        bool terminated = nameEnd < text.Length && text[nameEnd] == ';';
        if (NamedEntities.TryGetValue(name, out var character) && (terminated || name is "amp" or "lt" or "gt" or "quot"))
        {
            decoded.Append(character);
            return terminated ? nameEnd + 1 : nameEnd;
        }

        return 0;
    }

    private static int DigitValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static void AddBase64Texts(ReadOnlySpan<char> text, ref List<string>? texts, int depth)
    {
        int position = 0;
        while (NextBase64Run(text, position) is var (start, length) && length > 0)
        {
            AddBase64Text(text.Slice(start, length), ref texts, depth);
            position = start + length;
        }
    }

    /// <summary>
    /// The first run of at least <see cref="MinBase64Length"/> base64 characters (either alphabet, no padding) that
    /// starts at or after <paramref name="from"/>, whole; a length of 0 when there is none.
    /// </summary>
    internal static (int Start, int Length) NextBase64Run(ReadOnlySpan<char> text, int from)
    {
        // Eight characters a step (sixteen with 256-bit vectors): which of them are base64 is one mask, and a run long
        // enough can only start after the last character of a step that is not, or go on from an earlier step.
        ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        int runStart = from;
        int at = from;
        (int Start, int Length) run;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; at + Vector256<ushort>.Count <= text.Length; at += Vector256<ushort>.Count)
            {
                if (EndsRun(Base64Mask(Vector256.LoadUnsafe(ref chars, (nuint)at)), Vector256<ushort>.Count, at, ref runStart, out run))
                {
                    return run;
                }
            }
        }

        for (; at + Vector128<ushort>.Count <= text.Length; at += Vector128<ushort>.Count)
        {
            if (EndsRun(Base64Mask(Vector128.LoadUnsafe(ref chars, (nuint)at)), Vector128<ushort>.Count, at, ref runStart, out run))
            {
                return run;
            }
        }

        for (; at < text.Length; at++)
        {
            if (!Base64Chars.Contains(text[at]))
            {
                if (at - runStart >= MinBase64Length)
                {
                    return (runStart, at - runStart);
                }

                runStart = at + 1;
            }
        }

        return text.Length - runStart >= MinBase64Length ? (runStart, text.Length - runStart) : (0, 0);
    }

    /// <summary>
    /// Takes the mask of one step of <paramref name="width"/> characters at <paramref name="at"/>: true, with the run,
    /// when the step's leading base64 characters end a run long enough; otherwise moves
    /// <paramref name="runStart"/> past the step's last character that is not base64, if it has one.
    /// </summary>
    private static bool EndsRun(uint isBase64, int width, int at, ref int runStart, out (int Start, int Length) run)
    {
        run = default;
        var notBase64 = ~isBase64 & ((1u << width) - 1);
        if (notBase64 == 0)
        {
            return false;
        }

        int leading = BitOperations.TrailingZeroCount(notBase64);
        if (at + leading - runStart >= MinBase64Length)
        {
            run = (runStart, at + leading - runStart);
            return true;
        }

        runStart = at + 32 - BitOperations.LeadingZeroCount(notBase64);
        return false;
    }

    /// <summary>Bit i set when character i of the block is a base64 character of either alphabet.</summary>
    private static uint Base64Mask(Vector256<ushort> block)
    {
        var letter = Vector256.LessThan((block | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)26));
        var slashOrDigit = Vector256.LessThan(block - Vector256.Create((ushort)'/'), Vector256.Create((ushort)11));
        var symbol = Vector256.Equals(block, Vector256.Create((ushort)'+')) | Vector256.Equals(block, Vector256.Create((ushort)'-'))
            | Vector256.Equals(block, Vector256.Create((ushort)'_'));
        return (letter | slashOrDigit | symbol).ExtractMostSignificantBits();
    }

    /// <inheritdoc cref="Base64Mask(Vector256{ushort})"/>
    private static uint Base64Mask(Vector128<ushort> block)
    {
        var letter = Vector128.LessThan((block | Vector128.Create((ushort)0x20)) - Vector128.Create((ushort)'a'), Vector128.Create((ushort)26));
        var slashOrDigit = Vector128.LessThan(block - Vector128.Create((ushort)'/'), Vector128.Create((ushort)11));
        var symbol = Vector128.Equals(block, Vector128.Create((ushort)'+')) | Vector128.Equals(block, Vector128.Create((ushort)'-'))
            | Vector128.Equals(block, Vector128.Create((ushort)'_'));
        return (letter | slashOrDigit | symbol).ExtractMostSignificantBits();
    }

    private static void AddBase64Text(ReadOnlySpan<char> run, ref List<string>? texts, int depth)
    {
        // A blob may have word characters glued in front ("keyc2VjcmV0…"): each of the four alignments is tried.
        for (int shift = 0; shift < 4 && run.Length - shift >= MinBase64Length; shift++)
        {
            if (TryDecodeText(run[shift..], out var decoded))
            {
                texts ??= [];
                if (!texts.Contains(decoded))
                {
                    texts.Add(decoded);
                    if (depth < MaxBase64Depth)
                    {
                        AddBase64Texts(decoded, ref texts, depth + 1);
                    }
                }

                return;
            }
        }
    }

    private static bool TryDecodeText(ReadOnlySpan<char> run, [NotNullWhen(true)] out string? text)
    {
        text = null;
        bool standard = run.ContainsAny('+', '/');
        bool urlSafe = run.ContainsAny('-', '_');
        if (standard && urlSafe)
        {
            return false;
        }

        // A final group of one character carries no whole byte; it is dropped rather than failing the blob.
        var usable = run[..(run.Length - (run.Length % 4 == 1 ? 1 : 0))];

        // Most runs are words, paths or identifiers: their first 16 characters (12 bytes) already give them away.
        Span<char> start = stackalloc char[16];
        Span<byte> startBytes = stackalloc byte[12];
        Span<char> startText = stackalloc char[12];
        if (usable.Length > start.Length
            && !(TryDecodeBytes(usable[..start.Length], standard, start, startBytes, out int startWritten)
                && TryReadText(startBytes[..startWritten], startText, isFinalBlock: false, out _)))
        {
            return false;
        }

        var chars = ArrayPool<char>.Shared.Rent(usable.Length);
        var bytes = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(usable.Length));
        var decoded = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            if (!TryDecodeBytes(usable, standard, chars, bytes, out int written)
                || !TryReadText(bytes.AsSpan(0, written), decoded, isFinalBlock: true, out int length))
            {
                return false;
            }

            text = new string(decoded, 0, length);
            return true;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(decoded);
        }
    }

    /// <summary>Decodes base64 of either alphabet; <paramref name="scratch"/> takes the run mapped onto base64url's.</summary>
    private static bool TryDecodeBytes(ReadOnlySpan<char> run, bool standard, Span<char> scratch, Span<byte> bytes, out int written)
    {
        // One decoder for both alphabets: the standard one's two symbols are mapped onto base64url's.
        var mapped = scratch[..run.Length];
        run.CopyTo(mapped);
        if (standard)
        {
            mapped.Replace('+', '-');
            mapped.Replace('/', '_');
        }

        return Base64Url.DecodeFromChars(mapped, bytes, out _, out written) == OperationStatus.Done && written > 0;
    }

    /// <summary>
    /// Reads bytes as UTF-8 and says whether they are mostly printable text. A character cut off at the end of a
    /// block that is not final is not held against it.
    /// </summary>
    private static bool TryReadText(ReadOnlySpan<byte> bytes, Span<char> chars, bool isFinalBlock, out int length)
    {
        Utf8.ToUtf16(bytes, chars, out _, out length, replaceInvalidSequences: true, isFinalBlock);
        var text = chars[..length];
        int unprintable = 0;
        foreach (char c in text)
        {
            if (c == '\uFFFD' || (char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
            {
                unprintable++;
            }
        }

        return length > 0 && unprintable <= length * (1 - MinPrintableShare);
    }
}
