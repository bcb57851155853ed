namespace ClawSec.Core.Detection;

/// <summary>Recognises values that look like secrets but are stand-ins from documentation and sample configs.</summary>
internal static class Placeholders
{
    // Compared ignoring case. A random key holds one of these by chance with negligible probability.
    private static readonly string[] Markers =
    [
        "example",
        "replace_me",
        "replace-me",
        "replaceme",
        "your_api_key",
        "your-api-key",
        "yourapikey",
        "your_key",
        "your-key",
        "your_token",
        "your-token",
        "placeholder",
    ];

    // Keys end in random characters; a tail drawn from one or two characters is padding ("xxxx", "0000", "x-x-x").
    private const int TailLength = 16;

    public static bool IsPlaceholder(ReadOnlySpan<char> value)
    {
        foreach (var marker in Markers)
        {
            if (value.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        var tail = value[Math.Max(0, value.Length - TailLength)..];
        if (tail.IsEmpty)
        {
            return false;
        }

        var first = tail[0];
        var second = first;
        foreach (var c in tail)
        {
            if (c == first || c == second)
            {
                continue;
            }

            if (second != first)
            {
                return false;
            }

            second = c;
        }

        return true;
    }

    /// <summary>Shannon entropy of the value in bits per character.</summary>
    public static double Entropy(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        var counts = new Dictionary<char, int>();
        foreach (var c in value)
        {
            counts[c] = counts.GetValueOrDefault(c) + 1;
        }

        var entropy = 0.0;
        foreach (var count in counts.Values)
        {
            var p = (double)count / value.Length;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }
}
