using System.IO.Pipelines;

namespace ClawSec.Proxy.Tunneling;

/// <summary>A decrypted stream as the pipe pair Kestrel reads and writes.</summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
{
    // Room for two TLS records a read: with the default 4 KiB each record arrived in four reads, and a request body
    // went upstream as 4 KiB writes, each its own TLS record and send. A zero-byte read waits for data first, so
    // an idle connection holds no buffer.
    private const int ReadBufferSize = 32 * 1024;

    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, leaveOpen: true, useZeroByteReads: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
}
