namespace ClawSec.Core.Decoding;

/// <summary>The frame opcodes RFC 6455 defines; the values are the four bits on the wire.</summary>
public enum WebSocketOpcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}
