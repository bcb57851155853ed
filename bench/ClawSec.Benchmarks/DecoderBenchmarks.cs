using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using ClawSec.Core.Decoding;
using ZstdSharp;

namespace ClawSec.Benchmarks;

/// <summary>
/// Each decoder on realistic LLM-API JSON (the 1.24 MB of JSON lines in 4 MiB of generated traffic, as one array)
/// pushed in 16 KiB pieces, as the body taps push it: content codings into JSON string text, the same JSON as one
/// SSE event, and WebSocket frames of it (masked, and with permessage-deflate). Throughput = 1.24 MB / mean time.
/// </summary>
[MemoryDiagnoser]
public class DecoderBenchmarks
{
    private const int Size = 4 * 1024 * 1024;
    private const int Chunk = 16 * 1024;
    private readonly CountingSink _sink = new();
    private readonly Dictionary<string, byte[]> _bodies = [];
    private byte[] _sse = [];
    private byte[] _frames = [];
    private byte[] _deflatedFrames = [];

    [Params("identity", "gzip", "deflate", "br", "zstd")]
    public string Coding { get; set; } = "identity";

    [GlobalSetup]
    public void Setup()
    {
        // One JSON document: the traffic's JSON lines as an array (its SSE lines are not JSON).
        var lines = Encoding.UTF8.GetString(LlmTraffic.Generate(Size)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var json = Encoding.UTF8.GetBytes("[" + string.Join(",", lines.Where(l => l.StartsWith('{'))) + "]");
        _bodies["identity"] = json;
        _bodies["gzip"] = Compress(json, s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true));
        _bodies["deflate"] = Compress(json, s => new ZLibStream(s, CompressionLevel.Optimal, leaveOpen: true));
        _bodies["br"] = Compress(json, s => new BrotliStream(s, CompressionLevel.Fastest, leaveOpen: true));
        using (var zstd = new Compressor(3))
        {
            _bodies["zstd"] = zstd.Wrap(json).ToArray();
        }

        // Every line of the traffic as one SSE event.
        var sse = new StringBuilder();
        foreach (var line in Encoding.UTF8.GetString(json).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            sse.Append("data: ").Append(line).Append("\n\n");
        }

        _sse = Encoding.UTF8.GetBytes(sse.ToString());
        _frames = Frames(json, deflate: false);
        _deflatedFrames = Frames(json, deflate: true);

        // A decoder that gave up early would look fast: each must deliver most of the text.
        if (Body() < json.Length / 2 || (Coding == "identity" && (Sse() < json.Length / 2 || WebSocket() < json.Length || WebSocketDeflate() < json.Length)))
        {
            throw new InvalidOperationException($"{Coding}: a decoder stopped early.");
        }
    }

    [Benchmark(Description = "content coding → JSON text")]
    public long Body() => Decode(BodyDecoder.Create("application/json", Coding == "identity" ? null : Coding, long.MaxValue, _sink), _bodies[Coding]);

    [Benchmark(Description = "SSE (identity only)")]
    public long Sse() => Coding == "identity" ? Decode(BodyDecoder.Create("text/event-stream", null, long.MaxValue, _sink), _sse) : 0;

    [Benchmark(Description = "WebSocket frames, masked (identity only)")]
    public long WebSocket() => Coding == "identity" ? Frames(new WebSocketFrameDecoder(_sink), _frames) : 0;

    [Benchmark(Description = "WebSocket, permessage-deflate (identity only)")]
    public long WebSocketDeflate() =>
        Coding == "identity" ? Frames(new WebSocketFrameDecoder(_sink, new WebSocketDecoderOptions { PerMessageDeflate = true }), _deflatedFrames) : 0;

    private long Decode(BodyDecoder decoder, byte[] body)
    {
        using (decoder)
        {
            _sink.Count = 0;
            for (var at = 0; at < body.Length; at += Chunk)
            {
                decoder.Push(body.AsSpan(at, Math.Min(Chunk, body.Length - at)));
            }

            decoder.Complete();
            return _sink.Count;
        }
    }

    private long Frames(WebSocketFrameDecoder decoder, byte[] frames)
    {
        using (decoder)
        {
            _sink.Count = 0;
            for (var at = 0; at < frames.Length; at += Chunk)
            {
                decoder.Push(frames.AsSpan(at, Math.Min(Chunk, frames.Length - at)));
            }

            return _sink.Count;
        }
    }

    private static byte[] Compress(byte[] data, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>The data as client text messages of 16 KiB, masked; with permessage-deflate, each compressed alone.</summary>
    private static byte[] Frames(byte[] data, bool deflate)
    {
        using var output = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        for (var at = 0; at < data.Length; at += Chunk)
        {
            var payload = data.AsSpan(at, Math.Min(Chunk, data.Length - at)).ToArray();
            if (deflate)
            {
                using var compressed = new MemoryStream();
                using (var stream = new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                {
                    stream.Write(payload);
                    stream.Flush();
                }

                // A message ends with an empty stored block (00 00 FF FF), which the sender leaves off.
                var bytes = compressed.ToArray();
                payload = bytes.AsSpan(bytes.Length - 4).SequenceEqual((byte[])[0, 0, 0xFF, 0xFF]) ? bytes[..^4] : bytes;
            }

            output.WriteByte((byte)(0x80 | (deflate ? 0x40 : 0) | 0x1));
            output.WriteByte(0x80 | 127);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            output.Write(length);
            var mask = RandomNumberGenerator.GetBytes(4);
            output.Write(mask);
            for (var i = 0; i < payload.Length; i++)
            {
                output.WriteByte((byte)(payload[i] ^ mask[i % 4]));
            }
        }

        return output.ToArray();
    }

    private sealed class CountingSink : ITextSink, IWebSocketPayloadSink
    {
        public long Count { get; set; }

        public void OnText(ReadOnlySpan<char> text) => Count += text.Length;

        public void OnMessageStart(WebSocketOpcode opcode)
        {
        }

        public void OnPayload(ReadOnlySpan<byte> data) => Count += data.Length;

        public void OnMessageEnd()
        {
        }

        public void OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
        {
        }
    }
}
