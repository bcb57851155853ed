using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Collects what a decoder yields and notes empty chunks, which the sink contract rules out.</summary>
internal sealed class ByteRecorder : IByteSink
{
    private readonly List<byte> _bytes = [];

    public byte[] Bytes => [.. _bytes];

    public int Calls { get; private set; }

    public int EmptyCalls { get; private set; }

    public void OnBytes(ReadOnlySpan<byte> bytes)
    {
        Calls++;
        if (bytes.IsEmpty)
        {
            EmptyCalls++;
        }

        _bytes.AddRange(bytes);
    }
}
