namespace ClawSec.Core.Detection;

/// <summary>
/// Per rule, the merged ranges of message offsets where a match may start: from <see cref="Rule.MaxKeywordOffset"/>
/// before each keyword occurrence up to it. Added to in increasing order of where keywords end.
/// </summary>
internal sealed class CandidateWindows(int ruleCount)
{
    private readonly List<(long Start, long End)>?[] _windows = new List<(long Start, long End)>?[ruleCount];

    /// <summary>
    /// Adds a window, merging it with the previous one when they are less than <paramref name="gap"/> apart: the
    /// search from the previous window reads that far anyway, so one search is cheaper than two. Keywords are found
    /// in order of where they end, so a long one may start before the previous window.
    /// </summary>
    public void Add(int rule, long start, long end, int gap)
    {
        var list = _windows[rule] ??= [];
        if (list.Count > 0 && start <= list[^1].End + gap)
        {
            list[^1] = (Math.Min(list[^1].Start, start), Math.Max(list[^1].End, end));
        }
        else
        {
            list.Add((start, end));
        }
    }

    /// <summary>The rule's windows in order, or null when it has none.</summary>
    public List<(long Start, long End)>? Of(int rule) => _windows[rule];
}
