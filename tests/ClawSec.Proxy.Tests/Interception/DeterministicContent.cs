using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// Large bodies made on the fly: the byte at each offset depends on the offset, so a lost, repeated or
/// reordered block changes the hash, and neither side ever holds the whole body.
/// </summary>
internal static class DeterministicContent
{
    public const long HundredMebibytes = 100L * 1024 * 1024;

    private static readonly ConcurrentDictionary<long, Lazy<string>> Hashes = new();

    /// <summary>Fills <paramref name="destination"/> with the bytes found at <paramref name="offset"/>.</summary>
    public static void Fill(Span<byte> destination, long offset)
    {
        Span<byte> word = stackalloc byte[8];
        var i = 0;
        while (i < destination.Length)
        {
            var position = offset + i;
            var within = (int)(position % 8);
            BinaryPrimitives.WriteUInt64LittleEndian(word, WordAt(position / 8));
            var take = Math.Min(8 - within, destination.Length - i);
            word.Slice(within, take).CopyTo(destination[i..]);
            i += take;
        }
    }

    /// <summary>The lower-case hex SHA-256 of the first <paramref name="length"/> bytes, computed once per length.</summary>
    public static string Sha256(long length) => Hashes.GetOrAdd(length, l => new Lazy<string>(() =>
    {
        using var stream = new Reader(l);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    })).Value;

    /// <summary>Hashes a stream as it is read; returns the hex SHA-256 and the byte count.</summary>
    public static async Task<(string Sha256, long Length)> HashAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }

    /// <summary>Writes the first <paramref name="length"/> bytes to <paramref name="destination"/>.</summary>
    public static async Task WriteAsync(Stream destination, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        for (long offset = 0; offset < length; offset += buffer.Length)
        {
            var count = (int)Math.Min(buffer.Length, length - offset);
            Fill(buffer.AsSpan(0, count), offset);
            await destination.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        }
    }

    private static ulong WordAt(long index) => (ulong)(index + 1) * 0x9E3779B97F4A7C15UL;

    /// <summary>The content as a read-only stream of a known length, for an upload.</summary>
    internal sealed class Reader(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, length - _position);
            Fill(buffer[..count], _position);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
