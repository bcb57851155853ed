namespace ClawSec.Core.Threats;

/// <summary>
/// Reads <c>threats.jsonl</c> from its end, newest first, without loading the whole file. A line that is not a
/// whole JSON object (a torn last line after a crash) is skipped and reported through <c>warn</c>.
/// </summary>
public static class ThreatLogReader
{
    /// <summary>The newest <paramref name="limit"/> lines that are whole JSON objects, newest first.</summary>
    public static IReadOnlyList<string> ReadNewest(Stream seekable, int limit, Action<string> warn)
    {
        _ = seekable;
        _ = limit;
        _ = warn;
        return [];
    }

    /// <summary>Counts of records by <c>threat_type</c> over the whole file, streamed.</summary>
    public static IReadOnlyDictionary<string, long> CountByType(Stream stream)
    {
        _ = stream;
        return new Dictionary<string, long>();
    }
}
