using System.IO.Compression;
using ZstdSharp;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>The sending side of each HTTP content coding.</summary>
internal static class Compress
{
    public static byte[] Gzip(byte[] data, CompressionLevel level = CompressionLevel.Optimal) =>
        Through(data, output => new GZipStream(output, level, leaveOpen: true));

    public static byte[] ZLib(byte[] data, CompressionLevel level = CompressionLevel.Optimal) =>
        Through(data, output => new ZLibStream(output, level, leaveOpen: true));

    public static byte[] RawDeflate(byte[] data, CompressionLevel level = CompressionLevel.Optimal) =>
        Through(data, output => new DeflateStream(output, level, leaveOpen: true));

    public static byte[] Brotli(byte[] data, CompressionLevel level = CompressionLevel.Optimal) =>
        Through(data, output => new BrotliStream(output, level, leaveOpen: true));

    public static byte[] Zstd(byte[] data, int level = 3)
    {
        using var compressor = new Compressor(level);
        return compressor.Wrap(data).ToArray();
    }

    /// <summary>Applies the codings of a <c>Content-Encoding</c> value in order, as a server would.</summary>
    public static byte[] Encode(string contentEncoding, byte[] data)
    {
        foreach (var coding in contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            data = coding.ToLowerInvariant() switch
            {
                "gzip" or "x-gzip" => Gzip(data),
                "deflate" => ZLib(data),
                "br" => Brotli(data),
                "zstd" => Zstd(data),
                "identity" => data,
                _ => throw new ArgumentException(coding, nameof(contentEncoding)),
            };
        }

        return data;
    }

    private static byte[] Through(byte[] data, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(data);
        }

        return output.ToArray();
    }
}
