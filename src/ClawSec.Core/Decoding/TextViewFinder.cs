using System.Buffers;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Passes a text on unchanged and, beside it, the other readings of each of its lines (<see cref="TextViews.Decode"/>),
/// each reading whole in one call. Lines longer than <see cref="MaxSegmentChars"/> are read in segments, cut
/// where a base64 blob cannot be, if there is such a place in the segment's second half.
/// </summary>
internal sealed class TextViewFinder : ITextSink
{
    internal const int MaxSegmentChars = 64 * 1024;

    private const int InitialSegmentChars = 1024;

    private static readonly SearchValues<char> Base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=");

    private readonly ITextSink _text;
    private readonly ITextSink _views;

    // From the shared pool, back to it at Complete.
    private char[] _segment = [];
    private int _length;

    public TextViewFinder(ITextSink text, ITextSink views)
    {
        _text = text;
        _views = views;
    }

    public void OnText(ReadOnlySpan<char> text)
    {
        _text.OnText(text);
        while (!text.IsEmpty)
        {
            int lineEnd = text.IndexOf('\n');
            if (lineEnd >= 0 && _length == 0 && lineEnd < MaxSegmentChars)
            {
                // A whole line in this piece of text: read where it is, without a copy.
                ReadViews(text[..lineEnd]);
                text = text[(lineEnd + 1)..];
                continue;
            }

            Append(lineEnd < 0 ? text : text[..lineEnd]);
            if (lineEnd < 0)
            {
                return;
            }

            EndSegment(_length);
            text = text[(lineEnd + 1)..];
        }
    }

    /// <summary>The text has ended: reads the last line.</summary>
    public void Complete()
    {
        EndSegment(_length);
        if (_segment.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_segment);
            _segment = [];
        }
    }

    private void Append(ReadOnlySpan<char> line)
    {
        while (!line.IsEmpty)
        {
            int take = Math.Min(line.Length, MaxSegmentChars - _length);
            if (_length + take > _segment.Length)
            {
                var grown = ArrayPool<char>.Shared.Rent(Math.Min(MaxSegmentChars, Math.Max(Math.Max(_length + take, InitialSegmentChars), _segment.Length * 2)));
                _segment.AsSpan(0, _length).CopyTo(grown);
                if (_segment.Length > 0)
                {
                    ArrayPool<char>.Shared.Return(_segment);
                }

                _segment = grown;
            }

            line[..take].CopyTo(_segment.AsSpan(_length));
            _length += take;
            line = line[take..];
            if (_length == MaxSegmentChars)
            {
                int cut = _segment.AsSpan(MaxSegmentChars / 2, MaxSegmentChars / 2).LastIndexOfAnyExcept(Base64Chars);
                EndSegment(cut < 0 ? MaxSegmentChars : (MaxSegmentChars / 2) + cut + 1);
            }
        }
    }

    /// <summary>Reads the first <paramref name="end"/> characters of the segment and keeps the rest for the next.</summary>
    private void EndSegment(int end)
    {
        ReadViews(_segment.AsSpan(0, end));
        _segment.AsSpan(end, _length - end).CopyTo(_segment);
        _length -= end;
    }

    private void ReadViews(ReadOnlySpan<char> line)
    {
        if (line.IsEmpty)
        {
            return;
        }

        foreach (var view in TextViews.Decode(line))
        {
            if (view.Length > 0)
            {
                _views.OnText(view);
            }
        }
    }
}
