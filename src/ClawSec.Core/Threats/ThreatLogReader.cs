using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ClawSec.Core.Threats;

/// <summary>
/// Reads <c>threats.jsonl</c> from its end, newest first, without loading the whole file. A line that is not a
/// whole JSON object (a torn last line after a crash) is skipped and reported through <c>warn</c>.
/// </summary>
public static class ThreatLogReader
{
    internal const int DefaultBlockSize = 64 * 1024;

    /// <summary>
    /// A threat record is well under a kilobyte (the snippet is at most 200 characters), so a longer line is
    /// damage; skipping it unread keeps memory bounded whatever the file holds.
    /// </summary>
    internal const int MaxLineBytes = 1024 * 1024;

    /// <summary>A damaged file may hold many bad lines; after this many, they are only counted.</summary>
    private const int MaxWarnings = 5;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The newest <paramref name="limit"/> lines that are whole JSON objects, newest first.</summary>
    public static IReadOnlyList<string> ReadNewest(Stream seekable, int limit, Action<string> warn) =>
        ReadNewest(seekable, limit, warn, DefaultBlockSize);

    internal static IReadOnlyList<string> ReadNewest(Stream seekable, int limit, Action<string> warn, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(seekable);
        ArgumentNullException.ThrowIfNull(warn);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        if (!seekable.CanSeek)
        {
            throw new ArgumentException("The threat log must be read from a seekable stream.", nameof(seekable));
        }

        var newest = new List<string>();
        var skipped = new SkippedLines(NameOf(seekable), warn);
        long length = seekable.Length;
        var block = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            // Lines are found from the end: each '\n' met closes the line that starts after it, so a line's
            // start is known only once the block holding the previous '\n' (or the file's start) is read.
            long lineEnd = length;
            long blockEnd = length;
            int blockLength = 0;
            while (blockEnd > 0 && newest.Count < limit)
            {
                long blockStart = Math.Max(0, blockEnd - blockSize);
                blockLength = (int)(blockEnd - blockStart);
                var span = block.AsSpan(0, blockLength);
                if (!TryReadAt(seekable, blockStart, span))
                {
                    break;
                }

                int newline = span.LastIndexOf((byte)'\n');
                while (newline >= 0 && newest.Count < limit)
                {
                    long lineStart = blockStart + newline + 1;
                    TakeLine(seekable, lineStart, lineEnd, length, span, blockStart, newest, skipped);
                    lineEnd = lineStart - 1;
                    newline = span[..newline].LastIndexOf((byte)'\n');
                }

                blockEnd = blockStart;
            }

            if (blockEnd == 0 && newest.Count < limit)
            {
                TakeLine(seekable, 0, lineEnd, length, block.AsSpan(0, blockLength), 0, newest, skipped);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }

        skipped.ReportRest();
        return newest;
    }

    /// <summary>Counts of records by <c>threat_type</c> over the whole file, streamed.</summary>
    public static IReadOnlyDictionary<string, long> CountByType(Stream stream) => CountByType(stream, DefaultBlockSize);

    internal static IReadOnlyDictionary<string, long> CountByType(Stream stream, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            // buffer[start..end) holds bytes not yet handed out as lines; they start a line unless skippingLongLine.
            int start = 0;
            int end = 0;
            bool atFileStart = true;
            bool skippingLongLine = false;
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        (start, end) = (0, end - start);
                    }
                    else if (buffer.Length <= MaxLineBytes)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, end).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    else
                    {
                        (start, end, skippingLongLine) = (0, 0, true);
                    }
                }

                int read = stream.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    break;
                }

                int searchFrom = end;
                end += read;
                int newline;
                while ((newline = buffer.AsSpan(searchFrom, end - searchFrom).IndexOf((byte)'\n')) >= 0)
                {
                    int lineEnd = searchFrom + newline;
                    if (!skippingLongLine)
                    {
                        Count(buffer.AsSpan(start, lineEnd - start), atFileStart, counts);
                    }

                    (start, searchFrom, atFileStart, skippingLongLine) = (lineEnd + 1, lineEnd + 1, false, false);
                }
            }

            if (!skippingLongLine)
            {
                Count(buffer.AsSpan(start, end - start), atFileStart, counts);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return counts;
    }

    private static void Count(ReadOnlySpan<byte> line, bool atFileStart, Dictionary<string, long> counts)
    {
        if (line.Length <= MaxLineBytes && TryReadRecord(Trim(line, atFileStart), out var threatType) && threatType is not null)
        {
            counts[threatType] = counts.GetValueOrDefault(threatType) + 1;
        }
    }

    /// <summary>Adds the line [lineStart, lineEnd) if it is a whole JSON object, reading it from the block when it lies there.</summary>
    private static void TakeLine(
        Stream stream, long lineStart, long lineEnd, long length, ReadOnlySpan<byte> block, long blockStart,
        List<string> newest, SkippedLines skipped)
    {
        long lineLength = lineEnd - lineStart;
        if (lineLength == 0)
        {
            return;
        }

        bool isTornLastLine = lineEnd == length;
        if (lineLength > MaxLineBytes)
        {
            skipped.Add($"skipped a line of {lineLength} bytes at byte {lineStart}, longer than any threat record");
            return;
        }

        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> line;
            if (lineEnd - blockStart <= block.Length)
            {
                line = block.Slice((int)(lineStart - blockStart), (int)lineLength);
            }
            else
            {
                // The line began in this block but runs on through blocks already passed over.
                rented = ArrayPool<byte>.Shared.Rent((int)lineLength);
                var span = rented.AsSpan(0, (int)lineLength);
                if (!TryReadAt(stream, lineStart, span))
                {
                    return;
                }

                line = span;
            }

            line = Trim(line, lineStart == 0);
            if (line.IsEmpty)
            {
                return;
            }

            if (TryReadRecord(line, out _))
            {
                newest.Add(Encoding.UTF8.GetString(line));
            }
            else
            {
                skipped.Add(isTornLastLine
                    ? $"skipped an incomplete last line at byte {lineStart}"
                    : $"skipped a line that is not a JSON object at byte {lineStart}");
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Drops what surrounds a record but is not one: a <c>\r</c> (CRLF), blanks, and a byte order mark.</summary>
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line, bool atFileStart)
    {
        if (atFileStart && line.StartsWith(Utf8Bom))
        {
            line = line[Utf8Bom.Length..];
        }

        return line.Trim(" \t\r"u8);
    }

    /// <summary>
    /// True when the line is exactly one JSON object in valid UTF-8; its top-level string <c>threat_type</c>,
    /// if any, comes out without deserializing the rest.
    /// </summary>
    private static bool TryReadRecord(ReadOnlySpan<byte> line, out string? threatType)
    {
        threatType = null;
        if (!Utf8.IsValid(line))
        {
            return false;
        }

        var reader = new Utf8JsonReader(line);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isThreatType = reader.ValueTextEquals("threat_type"u8);
                reader.Read();
                if (isThreatType && threatType is null && reader.TokenType == JsonTokenType.String)
                {
                    threatType = ThreatTypeName(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            // The reader throws on anything but blanks after the object, and on an object cut short.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            threatType = null;
            return false;
        }
    }

    /// <summary>The three types of PRODUCT.md come back as shared strings, so counting allocates nothing per line.</summary>
    private static string ThreatTypeName(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("EXFIL"u8) ? "EXFIL"
        : reader.ValueTextEquals("INJECTION"u8) ? "INJECTION"
        : reader.ValueTextEquals("SSH_CONNECT"u8) ? "SSH_CONNECT"
        : reader.GetString()!;

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; false if the file shrank meanwhile.</summary>
    private static bool TryReadAt(Stream stream, long offset, Span<byte> destination)
    {
        stream.Position = offset;
        return stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) == destination.Length;
    }

    private static string NameOf(Stream stream) => stream is FileStream file ? file.Name : "threats.jsonl";

    /// <summary>Reports skipped lines through the caller's warn, the first few one by one and the rest as a count.</summary>
    private sealed class SkippedLines(string fileName, Action<string> warn)
    {
        private int _count;

        public void Add(string message)
        {
            if (++_count <= MaxWarnings)
            {
                warn($"{fileName}: {message}");
            }
        }

        public void ReportRest()
        {
            if (_count > MaxWarnings)
            {
                warn($"{fileName}: skipped {_count - MaxWarnings} more lines that are not JSON objects");
            }
        }
    }
}
