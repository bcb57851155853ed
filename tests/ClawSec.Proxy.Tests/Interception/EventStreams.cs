using System.Collections.Concurrent;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// Coordinates an SSE stream with its client: the upstream sends the first event, then holds the rest until the
/// client says it saw that event (or a timeout passes). A client that sees event 1 while only event 1 has been
/// sent proves that nothing between them buffers the stream — without measuring time.
/// </summary>
internal sealed class EventStreams
{
    public const int EventCount = 20;
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the upstream holds the rest back; a buffering proxy makes the client wait this long.</summary>
    public static readonly TimeSpan AcknowledgeTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, Session> _sessions = new();

    public Session For(string id) => _sessions.GetOrAdd(id, _ => new Session());

    internal sealed class Session
    {
        private int _sent;

        /// <summary>Completed with the number of events sent when the client reported event 1.</summary>
        public TaskCompletionSource<int> FirstEventSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Sent => Volatile.Read(ref _sent);

        public void MarkSent(int number) => Volatile.Write(ref _sent, number);

        /// <summary>The client saw event 1; returns how many events the upstream had sent by then.</summary>
        public int Acknowledge()
        {
            var sent = Sent;
            FirstEventSeen.TrySetResult(sent);
            return sent;
        }
    }
}
