using System.Text;
using ClawSec.Core.Decoding;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>Runs an <see cref="SseDecoder"/> over a stream delivered in the given pieces.</summary>
internal static class SseDecode
{
    public static List<SseEvent> All(string stream) => Chunks([Encoding.UTF8.GetBytes(stream)]);

    public static List<SseEvent> All(byte[] stream) => Chunks([stream]);

    public static List<SseEvent> SplitAt(byte[] stream, int offset) => Chunks([stream[..offset], stream[offset..]]);

    public static List<SseEvent> Chunks(IEnumerable<byte[]> chunks, int maxEventChars = SseDecoder.DefaultMaxEventChars)
    {
        var sink = new Recorder();
        var decoder = new SseDecoder(sink, maxEventChars);
        foreach (var chunk in chunks)
        {
            decoder.Push(chunk);
        }

        decoder.Complete();
        return sink.Events;
    }

    private sealed class Recorder : ISseEventSink
    {
        public List<SseEvent> Events { get; } = [];

        public void OnEvent(SseEvent sseEvent) => Events.Add(sseEvent);
    }
}
