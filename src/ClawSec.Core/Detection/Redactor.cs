using System.Text;

namespace ClawSec.Core.Detection;

/// <summary>Builds snippets and log text with secrets replaced.</summary>
internal static class Redactor
{
    public const string Marker = "…[REDACTED]";

    /// <summary>Stands in for text that could not be scanned for secrets (a user rule timed out), so none leaks.</summary>
    public const string Withheld = "[REDACTED: text could not be scanned]";

    public const int SnippetLength = 200;

    /// <summary>Characters of context shown before the match; the rest of the snippet follows it.</summary>
    public const int ContextBefore = 60;

    /// <summary>
    /// Text after the snippet that is scanned with it, so a secret cut off by the snippet's end is still recognised
    /// (a secret rule needs its whole minimum length to match).
    /// </summary>
    public const int LookAfter = 512;

    /// <summary>How far past a match's start its snippet depends on the text.</summary>
    public const int SnippetReach = SnippetLength - ContextBefore + LookAfter;

    /// <summary>Runs of key-like characters at least this long are masked in snippets even when no rule knows them.</summary>
    public const int KeyMaterialRun = 32;

    private const int MaxKeptPrefix = 13;

    /// <summary>
    /// How much of a secret's start may be shown: up to its last '-' or '_' within the first 13 characters
    /// (<c>sk-ant-api03-</c>, <c>sk-proj-</c>, <c>gsk_</c>), else 4 characters (<c>AKIA</c>); never more than a third.
    /// </summary>
    public static int KeptPrefixLength(ReadOnlySpan<char> value)
    {
        var limit = Math.Min(MaxKeptPrefix, value.Length / 3);
        var separator = value[..limit].LastIndexOfAny('-', '_');
        return separator >= 0 ? separator + 1 : Math.Min(4, limit);
    }

    /// <summary>
    /// At most <see cref="SnippetLength"/> characters around the match at <paramref name="index"/>, with its
    /// <paramref name="secret"/> (if it is one) and every other secret in it redacted and any other long key-like
    /// run masked.
    /// </summary>
    public static string Snippet(ReadOnlySpan<char> text, int index, (int Start, int Length)? secret, Scanner scanner)
    {
        var start = Math.Max(0, index - ContextBefore);
        if (start > 0 && char.IsLowSurrogate(text[start]))
        {
            start--;
        }

        var end = Math.Min(text.Length, start + SnippetLength);
        if (end < text.Length && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        // Scan a wider region than the snippet: a secret that starts before it or runs past its end is only
        // recognised whole.
        var regionStart = Math.Max(0, start - scanner.SecretReach);
        var regionEnd = Math.Min(text.Length, end + LookAfter);
        var spans = new List<(int Start, int End)>();
        if (secret is var (secretAt, secretLength))
        {
            spans.Add((secretAt - regionStart, TokenEnd(text, secretAt + secretLength) - regionStart));
        }

        if (!scanner.FindSecrets(text[regionStart..regionEnd], spans))
        {
            return Withheld;
        }

        var snippet = new StringBuilder(SnippetLength + Marker.Length);
        var position = start;
        foreach (var (spanStart, spanEnd) in spans)
        {
            var secretStart = spanStart + regionStart;
            var secretEnd = spanEnd + regionStart;
            if (secretEnd <= start || secretStart >= end)
            {
                continue;
            }

            if (secretStart >= start)
            {
                snippet.Append(text[position..secretStart]);
                var value = text[secretStart..secretEnd];
                snippet.Append(value[..KeptPrefixLength(value)]);
            }

            snippet.Append(Marker);
            position = Math.Min(secretEnd, end);
        }

        snippet.Append(text[position..end]);
        return Truncate(MaskKeyMaterial(snippet.ToString()), SnippetLength);
    }

    /// <summary>The text with each of the (sorted, disjoint) spans replaced by its kept prefix and the marker.</summary>
    public static string Replace(ReadOnlySpan<char> text, List<(int Start, int End)> spans)
    {
        var result = new StringBuilder(text.Length);
        var position = 0;
        foreach (var (start, end) in spans)
        {
            result.Append(text[position..start]);
            var secret = text[start..end];
            result.Append(secret[..KeptPrefixLength(secret)]).Append(Marker);
            position = end;
        }

        result.Append(text[position..]);
        return result.ToString();
    }

    /// <summary>Sorts spans by start and merges those that overlap or touch.</summary>
    public static void Merge(List<(int Start, int End)> spans)
    {
        if (spans.Count < 2)
        {
            return;
        }

        spans.Sort();
        var merged = 0;
        for (var i = 1; i < spans.Count; i++)
        {
            if (spans[i].Start <= spans[merged].End)
            {
                spans[merged] = (spans[merged].Start, Math.Max(spans[merged].End, spans[i].End));
            }
            else
            {
                spans[++merged] = spans[i];
            }
        }

        spans.RemoveRange(merged + 1, spans.Count - merged - 1);
    }

    /// <summary>
    /// Masks runs of base64/base64url characters that are long and mix letters and digits: key material after a
    /// PEM header the snippet cut off, or a key no rule knows.
    /// </summary>
    public static string MaskKeyMaterial(string text)
    {
        StringBuilder? result = null;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (!IsKeyChar(text[i]))
            {
                i++;
                continue;
            }

            var runStart = i;
            var letter = false;
            var digit = false;
            while (i < text.Length && IsKeyChar(text[i]))
            {
                letter |= char.IsAsciiLetter(text[i]);
                digit |= char.IsAsciiDigit(text[i]);
                i++;
            }

            if (i - runStart >= KeyMaterialRun && letter && digit)
            {
                result ??= new StringBuilder(text.Length);
                var run = text.AsSpan(runStart, i - runStart);
                result.Append(text, copied, runStart - copied).Append(run[..KeptPrefixLength(run)]).Append(Marker);
                copied = i;
            }
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// Where the token holding a secret that ends at <paramref name="end"/> ends: a secret found cut short (a rule
    /// searches a bounded stretch of text) is redacted to the end of its run of key characters.
    /// </summary>
    public static int TokenEnd(ReadOnlySpan<char> text, int end)
    {
        while (end < text.Length && IsKeyChar(text[end]))
        {
            end++;
        }

        return end;
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '_' or '-';

    private static string Truncate(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
        return text[..cut];
    }
}
