using System.Buffers;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace ClawSec.Core.Decoding;

/// <summary>Undoes <c>zstd</c> (RFC 8878) with ZstdSharp's streaming decompressor, which takes input as it is pushed.</summary>
internal sealed class ZstdStage : ContentCodingStage
{
    /// <summary>
    /// RFC 9659 limits the window of the zstd content coding to 8 MiB; without this a frame could make us
    /// allocate up to the library's default of 128 MiB.
    /// </summary>
    private const int MaxWindowLog = 23;

    private Decompressor? _decompressor;
    private byte[]? _outputBuffer;

    // A body may hold several frames; it is whole when its last frame is.
    private bool _betweenFrames = true;

    public ZstdStage(string coding)
        : base(coding)
    {
    }

    public override void Push(ReadOnlySpan<byte> input, StageOutput output)
    {
        if (input.IsEmpty)
        {
            return;
        }

        if (_decompressor is null)
        {
            _decompressor = new Decompressor();
            _decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, MaxWindowLog);
        }

        var buffer = _outputBuffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        while (!output.Stopped)
        {
            OperationStatus status;
            int consumed;
            int written;
            try
            {
                status = _decompressor.UnwrapStream(input, buffer, out consumed, out written);
            }
            catch (ZstdException)
            {
                output.Fail(ContentDecoderError.InvalidData);
                return;
            }

            input = input[consumed..];
            if (consumed > 0 || written > 0)
            {
                _betweenFrames = status == OperationStatus.Done;
            }

            if (written > 0)
            {
                output.Write(buffer.AsSpan(0, written));
            }

            if (status == OperationStatus.InvalidData)
            {
                output.Fail(ContentDecoderError.InvalidData);
                return;
            }

            // A full buffer may mean more output is waiting even when all input has been taken.
            if ((input.IsEmpty && written < buffer.Length) || (consumed == 0 && written == 0))
            {
                return;
            }
        }
    }

    public override void Complete(StageOutput output)
    {
        if (!_betweenFrames)
        {
            output.Fail(ContentDecoderError.Truncated);
        }
    }

    public override void Dispose()
    {
        _decompressor?.Dispose();
        _decompressor = null;
        if (_outputBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_outputBuffer);
            _outputBuffer = null;
        }
    }
}
