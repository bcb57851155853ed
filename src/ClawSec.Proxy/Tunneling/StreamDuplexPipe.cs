using System.IO.Pipelines;

namespace ClawSec.Proxy.Tunneling;

/// <summary>A decrypted stream as the pipe pair Kestrel reads and writes.</summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
}
