using System.Collections;
using System.Text.RegularExpressions;

namespace ClawSec.Core.Detection;

/// <summary>
/// Regexes built on first use, for allowlists that only matter once their rule has matched: building hundreds of
/// non-backtracking regexes up front would cost seconds at start.
/// </summary>
internal sealed class LazyRegexList(IReadOnlyList<Func<Regex>> factories) : IReadOnlyList<Regex>
{
    private readonly Lazy<Regex>[] _regexes = [.. factories.Select(f => new Lazy<Regex>(f))];

    public int Count => _regexes.Length;

    public Regex this[int index] => _regexes[index].Value;

    public IEnumerator<Regex> GetEnumerator() => _regexes.Select(r => r.Value).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
