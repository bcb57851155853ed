using System.Buffers;
using System.IO.Compression;

namespace ClawSec.Core.Decoding;

/// <summary>Undoes <c>br</c> (RFC 7932) with the BCL's span-based decoder, which takes input as it is pushed.</summary>
internal sealed class BrotliStage : ContentCodingStage
{
    private BrotliDecoder _decoder;
    private byte[]? _outputBuffer;
    private bool _sawInput;
    private bool _ended;

    public BrotliStage(string coding)
        : base(coding)
    {
    }

    public override void Push(ReadOnlySpan<byte> input, StageOutput output)
    {
        if (_ended || input.IsEmpty)
        {
            return;
        }

        _sawInput = true;
        var buffer = _outputBuffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        while (!output.Stopped)
        {
            var status = _decoder.Decompress(input, buffer, out int consumed, out int written);
            input = input[consumed..];
            if (written > 0)
            {
                output.Write(buffer.AsSpan(0, written));
            }

            switch (status)
            {
                case OperationStatus.Done:
                    // What follows the end of the stream is not brotli data; clients ignore it too.
                    _ended = true;
                    return;
                case OperationStatus.InvalidData:
                    output.Fail(ContentDecoderError.InvalidData);
                    return;
                case OperationStatus.NeedMoreData when input.IsEmpty:
                    return;
                default:
                    if (consumed == 0 && written == 0)
                    {
                        // No progress with input left over would spin forever; the decoder cannot be right.
                        output.Fail(ContentDecoderError.InvalidData);
                        return;
                    }

                    break;
            }
        }
    }

    public override void Complete(StageOutput output)
    {
        if (_sawInput && !_ended)
        {
            output.Fail(ContentDecoderError.Truncated);
        }
    }

    public override void Dispose()
    {
        _decoder.Dispose();
        if (_outputBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_outputBuffer);
            _outputBuffer = null;
        }
    }
}
