using System.Text;

namespace ClawSec.Core.Configuration;

/// <summary>Formatting shared by configuration messages, which must stay on one line whatever the user wrote.</summary>
internal static class Messages
{
    private const int MaxShownChars = 60;

    /// <summary>A user's text quoted for a message: escaped so it cannot break the line, and shortened.</summary>
    public static string Quote(string text)
    {
        var shown = Shorten(text);
        var quoted = new StringBuilder(shown.Length + 2).Append('"');
        foreach (char c in shown)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                case var _ when char.IsControl(c) || c is '\u2028' or '\u2029':
                    quoted.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default: quoted.Append(c); break;
            }
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>Long values (a whole rules array in a variable, say) would drown the message.</summary>
    public static string Shorten(string text)
    {
        if (text.Length <= MaxShownChars)
        {
            return text;
        }

        int cut = char.IsHighSurrogate(text[MaxShownChars - 1]) ? MaxShownChars - 1 : MaxShownChars;
        return string.Concat(text.AsSpan(0, cut), "…");
    }

    /// <summary>Scripts and log lines expect one line; messages from the JSON and regex parsers may hold breaks.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\u0085', '\u2028', '\u2029'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The known name closest to a misspelt one, if it is close enough to be what was meant.</summary>
    public static string? Suggest(string unknown, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            int distance = EditDistance(unknown, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Max(1, Math.Min(3, unknown.Length / 4)) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
