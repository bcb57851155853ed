using System.Buffers;
using System.IO.Compression;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Decompresses permessage-deflate messages (RFC 7692) pushed in pieces: a message is the raw DEFLATE data of its
/// frames followed by <c>00 00 FF FF</c>. With context takeover one inflater lives across messages so later
/// messages can refer back to earlier ones; without it each message gets a fresh inflater.
/// </summary>
internal sealed class PerMessageInflater : IDisposable
{
    private const int OutputBufferSize = 16 * 1024;

    /// <summary>The empty stored block the sender removed from the end of every message.</summary>
    private static readonly byte[] Trailer = [0x00, 0x00, 0xFF, 0xFF];

    private readonly bool _noContextTakeover;
    private readonly long _maxMessageBytes;
    private readonly PushedInputStream _input = new();
    private byte[]? _output;
    private DeflateStream? _inflater;
    private long _messageBytes;
    private bool _ignoreRestOfMessage;
    private bool _streamEnded;

    public PerMessageInflater(bool noContextTakeover, long maxMessageBytes)
    {
        _noContextTakeover = noContextTakeover;
        _maxMessageBytes = maxMessageBytes;
    }

    public void StartMessage()
    {
        // A sender may end a message with a final (BFINAL) block instead of a sync flush; its compressor then
        // starts a new stream with an empty window, and so must we.
        if (_inflater is null || _noContextTakeover || _streamEnded)
        {
            _inflater?.Dispose();
            _inflater = new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);
            _output ??= ArrayPool<byte>.Shared.Rent(OutputBufferSize);
        }

        _messageBytes = 0;
        _ignoreRestOfMessage = false;
        _streamEnded = false;
    }

    /// <summary>Decompresses the next piece of the current message into <paramref name="sink"/>.</summary>
    /// <exception cref="InvalidDataException">The data is not valid DEFLATE.</exception>
    public void Push(ReadOnlyMemory<byte> compressed, IWebSocketPayloadSink sink)
    {
        if (compressed.IsEmpty || _ignoreRestOfMessage)
        {
            return;
        }

        _input.Set(compressed);
        Drain(sink);
        if (_input.Remaining > 0 && !_ignoreRestOfMessage)
        {
            // The inflater reads all it is given unless its stream has ended: what follows a final block is
            // not DEFLATE data, and zlib-based receivers ignore it too.
            _streamEnded = true;
            _ignoreRestOfMessage = true;
        }

        _input.Clear();
    }

    /// <inheritdoc cref="Push"/>
    public void EndMessage(IWebSocketPayloadSink sink) => Push(Trailer, sink);

    public void Dispose()
    {
        _inflater?.Dispose();
        _inflater = null;
        if (_output is not null)
        {
            ArrayPool<byte>.Shared.Return(_output);
            _output = null;
        }
    }

    private void Drain(IWebSocketPayloadSink sink)
    {
        var inflater = _inflater!;
        var output = _output!;
        int n;
        while ((n = inflater.Read(output)) > 0)
        {
            long room = _maxMessageBytes - _messageBytes;
            if (room > 0)
            {
                sink.OnPayload(output.AsSpan(0, (int)Math.Min(n, room)));
            }

            _messageBytes += n;
            if (_messageBytes >= _maxMessageBytes && _noContextTakeover)
            {
                // Nothing later depends on this message's window, so stop spending CPU on it. With context
                // takeover the rest must still be inflated (unseen) to keep the window right for later messages.
                _ignoreRestOfMessage = true;
                return;
            }
        }
    }
}
