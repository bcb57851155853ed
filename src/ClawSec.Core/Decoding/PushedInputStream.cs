namespace ClawSec.Core.Decoding;

/// <summary>
/// Lets the pull-based <see cref="System.IO.Compression.DeflateStream"/> read input that was pushed to us: a read
/// returns what has been handed over so far, and 0 once it is used up. The inflater reads that 0 as "no input
/// yet" and returns what it has, and a later read picks up newly pushed input, so the same inflater (and its
/// LZ77 window) serves a whole connection. That relies on the default lenient truncation handling; with the
/// <c>System.IO.Compression.UseStrictValidation</c> switch on, the inflater throws instead and compressed
/// messages fail to decode.
/// </summary>
internal sealed class PushedInputStream : Stream
{
    private ReadOnlyMemory<byte> _pending;

    /// <summary>Bytes pushed but not yet read; after a full drain, non-zero means the inflater stopped reading.</summary>
    public int Remaining => _pending.Length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Hands over the next input; the memory must stay unchanged until it is read or <see cref="Clear"/>ed.</summary>
    public void Set(ReadOnlyMemory<byte> input) => _pending = input;

    public void Clear() => _pending = default;

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, _pending.Length);
        _pending.Span[..n].CopyTo(buffer);
        _pending = _pending[n..];
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
