using ClawSec.Core.Detection;

namespace ClawSec.Core.Decoding;

/// <summary>How to decode one direction of a WebSocket connection.</summary>
public sealed record WebSocketDecoderOptions
{
    /// <summary>16 MiB: far above real agent messages, far below what a decompression bomb would expand to.</summary>
    public const long DefaultMaxDecompressedMessageBytes = 16 * 1024 * 1024;

    /// <summary>The handshake negotiated permessage-deflate (RFC 7692), so RSV1 marks a compressed message.</summary>
    public bool PerMessageDeflate { get; init; }

    /// <summary>
    /// This direction's sender resets its compressor after every message (<c>server_no_context_takeover</c> for
    /// server to client, <c>client_no_context_takeover</c> for client to server).
    /// </summary>
    public bool NoContextTakeover { get; init; }

    /// <summary>Decompressed bytes yielded per message; the rest of a larger message is not yielded.</summary>
    public long MaxDecompressedMessageBytes
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must not be negative");
    } = DefaultMaxDecompressedMessageBytes;

    /// <summary>
    /// Options for one direction from the <c>Sec-WebSocket-Extensions</c> header of the server's 101 response
    /// (several header lines joined with commas). Only the server's answer says what was negotiated; the
    /// client's offer does not.
    /// </summary>
    /// <param name="direction">Outbound is client to server (the agent is the client), inbound is server to client.</param>
    public static WebSocketDecoderOptions FromNegotiatedExtensions(string? responseExtensions, Direction direction)
    {
        foreach (var extension in (responseExtensions ?? "").Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = extension.Split(';', StringSplitOptions.TrimEntries);
            if (!parts[0].Equals("permessage-deflate", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var wanted = direction == Direction.Outbound ? "client_no_context_takeover" : "server_no_context_takeover";
            var noContextTakeover = parts.Skip(1).Any(p => p.Split('=', 2)[0].TrimEnd().Equals(wanted, StringComparison.OrdinalIgnoreCase));
            return new WebSocketDecoderOptions { PerMessageDeflate = true, NoContextTakeover = noContextTakeover };
        }

        return new WebSocketDecoderOptions();
    }
}
