namespace ClawSec.Core.Decoding;

/// <summary>Receives the events an <see cref="SseDecoder"/> finds, in order.</summary>
public interface ISseEventSink
{
    void OnEvent(SseEvent sseEvent);
}
