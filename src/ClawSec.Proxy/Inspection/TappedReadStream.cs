namespace ClawSec.Proxy.Inspection;

/// <summary>
/// A request body as the forwarder reads it: every byte read passes through untouched, and a copy goes to
/// the tap. The end of the body completes the tap.
/// </summary>
internal sealed class TappedReadStream(Stream inner, BodyTap tap) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public BodyTap Tap => tap;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);

        // A zero-byte read (the forwarder waits for data without pinning a buffer) is not the end of the body.
        if (read == 0 && !buffer.IsEmpty)
        {
            await tap.CompleteAsync().ConfigureAwait(false);
        }
        else
        {
            await tap.ObserveAsync(buffer.Span[..read]).ConfigureAwait(false);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Reads what is left of the body, so it is scanned even though nobody forwards it.</summary>
    public async Task DrainForScanAsync(CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (tap.Wants && await ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
