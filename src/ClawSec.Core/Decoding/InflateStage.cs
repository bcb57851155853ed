using System.Buffers;
using System.IO.Compression;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Undoes <c>gzip</c> or <c>deflate</c> with the BCL's pull-based streams, fed through a
/// <see cref="PushedInputStream"/> and drained only while pushed input remains.
/// </summary>
/// <remarks>
/// <c>deflate</c> is meant to be zlib-wrapped (RFC 9110 section 8.4.1.2), but some servers send raw DEFLATE, and
/// browsers accept both; so do we, deciding from the first two bytes.
/// </remarks>
internal sealed class InflateStage : ContentCodingStage
{
    // Fed to a stream once the body has ended, to learn whether the decompressor reached its end (see EndReached).
    private static readonly byte[] Probe = [0];

    private readonly bool _gzip;
    private readonly PushedInputStream _input = new();
    private Stream? _inflater;
    private byte[]? _inputBuffer;
    private byte[]? _outputBuffer;
    private bool _holdingFirstByte;
    private byte _firstByte;
    private bool _sawInput;
    private bool _ended;

    public InflateStage(string coding, bool gzip)
        : base(coding)
    {
        _gzip = gzip;
    }

    public override void Push(ReadOnlySpan<byte> input, StageOutput output)
    {
        if (_ended || input.IsEmpty)
        {
            return;
        }

        _sawInput = true;
        if (_inflater is null)
        {
            if (_gzip)
            {
                _inflater = new GZipStream(_input, CompressionMode.Decompress, leaveOpen: true);
            }
            else if (!_holdingFirstByte && input.Length == 1)
            {
                _firstByte = input[0];
                _holdingFirstByte = true;
                return;
            }
            else
            {
                byte first = _holdingFirstByte ? _firstByte : input[0];
                byte second = _holdingFirstByte ? input[0] : input[1];
                _inflater = IsZLibHeader(first, second)
                    ? new ZLibStream(_input, CompressionMode.Decompress, leaveOpen: true)
                    : new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);
                if (_holdingFirstByte)
                {
                    _holdingFirstByte = false;
                    Feed([_firstByte], output);
                }
            }
        }

        Feed(input, output);
    }

    public override void Complete(StageOutput output)
    {
        if (!_sawInput || _ended)
        {
            return;
        }

        if (_inflater is null || !EndReached())
        {
            output.Fail(ContentDecoderError.Truncated);
        }
    }

    public override void Dispose()
    {
        _inflater?.Dispose();
        _inflater = null;
        Return(ref _inputBuffer);
        Return(ref _outputBuffer);
    }

    /// <summary>
    /// A zlib header (RFC 1950): compression method 8 with a window of at most 32 KiB, no preset dictionary (HTTP
    /// has no way to agree on one), and a check value making the pair a multiple of 31. Raw DEFLATE rarely looks
    /// like that: its first byte would have to open a non-final stored block.
    /// </summary>
    private static bool IsZLibHeader(byte cmf, byte flg) =>
        (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && (flg & 0x20) == 0 && ((cmf << 8) | flg) % 31 == 0;

    private static void Return(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }

    private void Feed(ReadOnlySpan<byte> input, StageOutput output)
    {
        // The stream reads from memory, not a span, so input is copied through a buffer we own.
        var buffer = _inputBuffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        while (!input.IsEmpty && !_ended && !output.Stopped)
        {
            int n = Math.Min(input.Length, buffer.Length);
            input[..n].CopyTo(buffer);
            input = input[n..];
            _input.Set(buffer.AsMemory(0, n));
            Drain(output);
            if (_input.Remaining > 0 && !output.Stopped)
            {
                // A drained decompressor that leaves input unread has reached the end of its data.
                _ended = true;
            }

            _input.Clear();
        }
    }

    private void Drain(StageOutput output)
    {
        var inflater = _inflater!;
        var buffer = _outputBuffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        while (!output.Stopped)
        {
            int n;
            try
            {
                n = inflater.Read(buffer);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                output.Fail(ContentDecoderError.InvalidData);
                return;
            }

            if (n == 0)
            {
                return;
            }

            output.Write(buffer.AsSpan(0, n));
        }
    }

    /// <summary>
    /// The lenient BCL streams treat running out of input like the end of the data, so they cannot tell a
    /// truncated body from a whole one. A decompressor that has finished does not read more, though, while one in
    /// the middle of its data consumes whatever it is given (or throws on it). A gzip reader takes the first byte
    /// after a member to look for another member, hence a second probe. What the probes decode is discarded.
    /// </summary>
    private bool EndReached()
    {
        var discard = _outputBuffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        for (int probe = 0; probe < 2; probe++)
        {
            _input.Set(Probe);
            try
            {
                while (_inflater!.Read(discard) > 0)
                {
                }
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                return false;
            }

            bool untouched = _input.Remaining > 0;
            _input.Clear();
            if (untouched)
            {
                return true;
            }
        }

        return false;
    }
}
