using System.Text;
using ClawSec.Core.Decoding;
using static ClawSec.Core.Tests.Decoding.WebSocketFrames;

namespace ClawSec.Core.Tests.Decoding;

/// <summary>The decoder sits on every WebSocket byte the proxy relays, so steady-state decoding must not allocate.</summary>
public sealed class WebSocketFrameDecoderAllocationTests
{
    private sealed class CountingSink : IWebSocketPayloadSink
    {
        public long Bytes { get; private set; }

        public void OnMessageStart(WebSocketOpcode opcode)
        {
        }

        public void OnPayload(ReadOnlySpan<byte> data) => Bytes += data.Length;

        public void OnMessageEnd()
        {
        }

        public void OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload) => Bytes += payload.Length;
    }

    private static long AllocatedWhileDecoding(byte[] wire, WebSocketDecoderOptions options, int chunkSize)
    {
        var sink = new CountingSink();
        using var decoder = new WebSocketFrameDecoder(sink, options);
        for (int round = 0; round < 3; round++)
        {
            Push(decoder, wire, chunkSize);
        }

        // The fewest bytes of a few measurements: the runtime may allocate on this thread while it recompiles a hot
        // method mid-measurement (seen under a loaded test run), but a decoder that allocates does so every time.
        long allocated = long.MaxValue;
        for (int measurement = 0; measurement < 5 && allocated > 0; measurement++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < 20; round++)
            {
                Push(decoder, wire, chunkSize);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.False(decoder.Failed);
        Assert.True(sink.Bytes > 0);
        return allocated;
    }

    private static void Push(WebSocketFrameDecoder decoder, byte[] wire, int chunkSize)
    {
        for (int offset = 0; offset < wire.Length; offset += chunkSize)
        {
            decoder.Push(wire.AsSpan(offset, Math.Min(chunkSize, wire.Length - offset)));
        }
    }

    [Fact]
    public void Decoding_masked_fragmented_messages_allocates_nothing()
    {
        var payload = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("token=abc123; ", 3000)));
        var wire = Concat(
            Fragmented(WebSocketOpcode.Text, payload, [100, 20_000], ClientKey),
            Frame(WebSocketOpcode.Ping, "ping"u8, maskKey: ClientKey),
            Frame(WebSocketOpcode.Binary, payload));

        Assert.Equal(0, AllocatedWhileDecoding(wire, new WebSocketDecoderOptions(), chunkSize: 1460));
    }

    [Fact]
    public void Decoding_compressed_messages_with_context_takeover_allocates_nothing_per_message()
    {
        const int Messages = 100;
        using var deflater = new PerMessageDeflater();
        var message = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}: ok\n")));
        var frames = Enumerable.Range(0, Messages + 3)
            .Select(_ => Frame(WebSocketOpcode.Text, deflater.Compress(message), maskKey: ClientKey, rsv1: true))
            .ToList();

        var sink = new CountingSink();
        using var decoder = new WebSocketFrameDecoder(sink, new WebSocketDecoderOptions { PerMessageDeflate = true });
        frames.Take(3).ToList().ForEach(frame => decoder.Push(frame));
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var frame in frames.Skip(3))
        {
            Push(decoder, frame, chunkSize: 1460);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(decoder.Failed);
        Assert.Equal((Messages + 3L) * message.Length, sink.Bytes);
        // The runtime's inflater may allocate a few bytes once; a buffer per message would be kilobytes each.
        Assert.InRange(allocated, 0, 256);
    }
}
