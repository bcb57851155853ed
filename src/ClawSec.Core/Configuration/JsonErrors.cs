using System.Text.Json;

namespace ClawSec.Core.Configuration;

internal static class JsonErrors
{
    /// <summary>
    /// The parser's reason with its own position suffix (zero-based "LineNumber: 2 | BytePositionInLine: 4.")
    /// replaced by a one-based line, the way editors count.
    /// </summary>
    public static string Describe(JsonException exception)
    {
        var reason = exception.Message;
        int suffix = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (suffix >= 0)
        {
            reason = reason[..suffix];
        }

        reason = Messages.OneLine(reason).TrimEnd('.');
        return exception.LineNumber is long line ? $"{reason} (line {line + 1})" : reason;
    }
}
