using System.IO.Compression;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>
/// The sending side of permessage-deflate (RFC 7692 section 7.2.1): compress, sync-flush, and drop the
/// <c>00 00 FF FF</c> the flush ends with. With context takeover one compressor serves every message.
/// </summary>
internal sealed class PerMessageDeflater(CompressionLevel level = CompressionLevel.Optimal, bool noContextTakeover = false) : IDisposable
{
    private readonly MemoryStream _output = new();
    private DeflateStream? _deflater;

    public byte[] Compress(byte[] message)
    {
        if (_deflater is null || noContextTakeover)
        {
            _deflater?.Dispose();
            _deflater = new DeflateStream(_output, level, leaveOpen: true);
        }

        _output.SetLength(0);
        _deflater.Write(message);
        _deflater.Flush();
        var compressed = _output.ToArray();
        if (compressed.Length == 0)
        {
            // DeflateStream flushes nothing for an empty message, but the receiver appends 00 00 FF FF, which
            // needs the three header bits of a stored block before it: RFC 7692 section 7.2.3.6 sends one 0x00.
            return [0x00];
        }

        Assert.Equal([0x00, 0x00, 0xFF, 0xFF], compressed[^4..]);
        return compressed[..^4];
    }

    /// <summary>A message ended with a final block, as senders without a sync flush do; the stream is then over.</summary>
    public static byte[] CompressFinal(byte[] message, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var output = new MemoryStream();
        using (var deflater = new DeflateStream(output, level, leaveOpen: true))
        {
            deflater.Write(message);
        }

        return output.ToArray();
    }

    public void Dispose() => _deflater?.Dispose();
}
