namespace ClawSec.Core.Decoding;

/// <summary>Why a <see cref="WebSocketFrameDecoder"/> stopped decoding.</summary>
public enum WebSocketDecoderError
{
    None,
    ReservedOpcode,
    ReservedBitsSet,
    CompressedBitMisplaced,
    FragmentedControlFrame,
    ControlFrameTooLong,
    UnexpectedContinuation,
    ExpectedContinuation,
    FrameTooLong,
    InvalidCompressedData,
}
