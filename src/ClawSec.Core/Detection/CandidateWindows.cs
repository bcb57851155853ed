using System.Runtime.InteropServices;

namespace ClawSec.Core.Detection;

/// <summary>
/// Per rule, the merged ranges of message offsets where a match may start: from <see cref="Rule.MaxKeywordOffset"/>
/// before each keyword occurrence up to it. Added to in increasing order of where keywords end; a stream uses the
/// leading ones up as it goes (<see cref="Consume"/>) without moving the rest each time.
/// </summary>
internal sealed class CandidateWindows(int ruleCount)
{
    private readonly List<(long Start, long End)>?[] _windows = new List<(long Start, long End)>?[ruleCount];
    private readonly int[] _consumed = new int[ruleCount];

    /// <summary>
    /// Adds a window, merging it with the previous one when they are less than <paramref name="gap"/> apart: the
    /// search from the previous window reads that far anyway, so one search is cheaper than two. Keywords are found
    /// in order of where they end, so a long one may start before the previous window.
    /// </summary>
    public void Add(int rule, long start, long end, int gap)
    {
        var list = _windows[rule] ??= [];
        if (list.Count > _consumed[rule] && start <= list[^1].End + gap)
        {
            list[^1] = (Math.Min(list[^1].Start, start), Math.Max(list[^1].End, end));
        }
        else
        {
            list.Add((start, end));
        }
    }

    /// <summary>The rule's windows not used up yet, in order; empty when it has none.</summary>
    public ReadOnlySpan<(long Start, long End)> Of(int rule) =>
        _windows[rule] is { } list ? CollectionsMarshal.AsSpan(list)[_consumed[rule]..] : default;

    /// <summary>Marks the first <paramref name="count"/> of <see cref="Of"/> used up.</summary>
    public void Consume(int rule, int count)
    {
        if (count <= 0 || _windows[rule] is not { } list)
        {
            return;
        }

        _consumed[rule] += count;

        // Moved down only once the used-up part is the larger, so each window is moved about once.
        if (_consumed[rule] == list.Count || (_consumed[rule] >= 32 && _consumed[rule] * 2 >= list.Count))
        {
            list.RemoveRange(0, _consumed[rule]);
            _consumed[rule] = 0;
        }
    }

    /// <summary>The number of rules this holds windows for.</summary>
    public int RuleCount => _windows.Length;

    /// <summary>Forgets every window, keeping the lists for reuse unless one grew past <paramref name="maxKept"/>.</summary>
    public void Clear(int maxKept)
    {
        for (var rule = 0; rule < _windows.Length; rule++)
        {
            if (_windows[rule] is { } list)
            {
                if (list.Capacity > maxKept)
                {
                    _windows[rule] = null;
                }
                else
                {
                    list.Clear();
                }
            }

            _consumed[rule] = 0;
        }
    }

    /// <summary>Drops every window of the rule that ends at or before <paramref name="end"/>.</summary>
    public void DropEndingBy(int rule, long end)
    {
        if (_windows[rule] is not { } list)
        {
            return;
        }

        list.RemoveRange(0, _consumed[rule]);
        _consumed[rule] = 0;
        list.RemoveAll(w => w.End <= end);
    }
}
