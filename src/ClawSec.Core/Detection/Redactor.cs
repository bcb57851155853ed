namespace ClawSec.Core.Detection;

/// <summary>Builds snippets and log text with secrets replaced.</summary>
internal static class Redactor
{
    public const string Marker = "…[REDACTED]";
    public const int SnippetLength = 200;

    public static string Snippet(string text, int index, int length, IReadOnlyList<Finding> others, Rule rule)
    {
        var start = Math.Max(0, index - 60);
        var end = Math.Min(text.Length, Math.Max(index + length, start + SnippetLength));
        var piece = text[start..Math.Min(end, start + SnippetLength)];
        if (rule.IsSecret)
        {
            var value = text.Substring(index, length);
            piece = piece.Replace(value, value[..Math.Min(8, value.Length)] + Marker, StringComparison.Ordinal);
        }

        return piece;
    }

    public static string RedactAll(string text, IReadOnlyList<Finding> findings)
    {
        foreach (var f in findings.Where(f => f.Rule.IsSecret))
        {
            text = text.Replace(f.Value, f.Value[..Math.Min(8, f.Value.Length)] + Marker, StringComparison.Ordinal);
        }

        return text;
    }
}
