namespace ClawSec.Core.Decoding;

/// <summary>
/// Receives what a <see cref="WebSocketFrameDecoder"/> finds in one direction of a connection. Data messages
/// arrive as <see cref="OnMessageStart"/>, any number of <see cref="OnPayload"/> calls, then
/// <see cref="OnMessageEnd"/>; they never nest. Control frames arrive whole through
/// <see cref="OnControlFrame"/>, possibly between two payload calls of a fragmented message.
/// </summary>
public interface IWebSocketPayloadSink
{
    /// <summary>A text or binary message begins.</summary>
    void OnMessageStart(WebSocketOpcode opcode);

    /// <summary>
    /// Application bytes of the current message: unmasked and, for a compressed message, decompressed. Never empty.
    /// The span is only valid during the call.
    /// </summary>
    void OnPayload(ReadOnlySpan<byte> data);

    /// <summary>The current message is complete, or cut short because the decoder failed.</summary>
    void OnMessageEnd();

    /// <summary>
    /// A ping, pong or close frame with its whole unmasked payload (at most 125 bytes; for close, a two-byte
    /// status code and then the UTF-8 reason). Delivered because these payloads can carry data too.
    /// </summary>
    void OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload);
}
