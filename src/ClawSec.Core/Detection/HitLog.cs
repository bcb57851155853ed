using System.Buffers;

namespace ClawSec.Core.Detection;

/// <summary>
/// The keyword hits of the stretches that <see cref="KeywordAutomaton"/> walks together, kept until each stretch's
/// turn: (stretch, end, state) triples in a caller's stack buffer, moved to a pooled array when that is full.
/// </summary>
internal ref struct HitLog(Span<int> buffer)
{
    /// <summary>Ints of stack buffer a caller should give: room for a few dozen hits.</summary>
    public const int InlineCapacity = 3 * 32;

    private Span<int> _items = buffer;
    private int[]? _rented;
    private int _count;

    /// <summary>Logs a hit of stretch <paramref name="lane"/> if <paramref name="state"/> is one where keywords end.</summary>
    public void Add(int lane, int end, int state, int firstAccepting)
    {
        if (state < firstAccepting)
        {
            return;
        }

        if (_count + 3 > _items.Length)
        {
            var larger = ArrayPool<int>.Shared.Rent(_items.Length * 2);
            _items[.._count].CopyTo(larger);
            if (_rented is not null)
            {
                ArrayPool<int>.Shared.Return(_rented);
            }

            _rented = larger;
            _items = larger;
        }

        _items[_count++] = lane;
        _items[_count++] = end;
        _items[_count++] = state;
    }

    /// <summary>How many hits are logged.</summary>
    public readonly int Count => _count / 3;

    /// <summary>The stretch, end and state of the <paramref name="index"/>-th hit logged.</summary>
    public readonly (int Lane, int End, int State) this[int index] => (_items[3 * index], _items[(3 * index) + 1], _items[(3 * index) + 2]);

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<int>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
