using System.Runtime.InteropServices;

namespace ClawSec.Core.Decoding;

/// <summary>The XOR masking of RFC 6455 section 5.3, resumable at any byte of the payload.</summary>
internal static class WebSocketMask
{
    /// <summary>
    /// Writes <paramref name="source"/> XOR the key into <paramref name="destination"/>, starting at key byte
    /// <paramref name="keyIndex"/>, and returns the key index for the byte after the last one.
    /// </summary>
    public static int Apply(ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<byte> key, int keyIndex)
    {
        destination = destination[..source.Length];
        int i = 0;
        if (source.Length >= sizeof(ulong))
        {
            // Eight bytes at a time: the key repeats every four bytes, so a rotated copy of it fills a ulong.
            Span<byte> pattern = stackalloc byte[sizeof(ulong)];
            for (int p = 0; p < pattern.Length; p++)
            {
                pattern[p] = key[(keyIndex + p) & 3];
            }

            ulong mask = MemoryMarshal.Read<ulong>(pattern);
            var sourceWords = MemoryMarshal.Cast<byte, ulong>(source);
            var destinationWords = MemoryMarshal.Cast<byte, ulong>(destination);
            for (int w = 0; w < sourceWords.Length; w++)
            {
                destinationWords[w] = sourceWords[w] ^ mask;
            }

            i = sourceWords.Length * sizeof(ulong);
        }

        for (; i < source.Length; i++)
        {
            destination[i] = (byte)(source[i] ^ key[(keyIndex + i) & 3]);
        }

        return (keyIndex + source.Length) & 3;
    }
}
