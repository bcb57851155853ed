using System.Buffers;
using System.Buffers.Binary;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Turns the raw bytes of one direction of an upgraded WebSocket connection (RFC 6455, optionally with
/// permessage-deflate, RFC 7692) into application payload for <see cref="IWebSocketPayloadSink"/>. Use one
/// decoder per direction. Bytes are pushed as they arrive, in chunks of any size; between pushes the decoder
/// keeps at most a partial frame header, a partial control frame and the inflater's window, never payload.
/// </summary>
/// <remarks>
/// The decoder observes a copy of traffic that is relayed regardless, so it never throws on bad input: a
/// protocol violation puts it in the <see cref="Failed"/> state, ends any message in progress so what was seen
/// can still be scanned, and all later input is ignored. It decodes what a lenient receiver would accept:
/// lengths not in their shortest form, frames after a close frame and unmasked client frames are all decoded.
/// Exceptions thrown by the sink are not caught.
/// </remarks>
public sealed class WebSocketFrameDecoder : IDisposable
{
    private const int MaxHeaderLength = 14;
    private const int MaxControlPayloadLength = 125;
    private const int ScratchSize = 16 * 1024;

    private readonly IWebSocketPayloadSink _sink;
    private readonly WebSocketDecoderOptions _options;
    private readonly byte[] _header = new byte[MaxHeaderLength];
    private readonly byte[] _maskKey = new byte[4];
    private readonly byte[] _control = new byte[MaxControlPayloadLength];
    private PerMessageInflater? _inflater;
    private byte[]? _scratch;
    private bool _disposed;

    private int _headerCount;
    private int _headerNeeded = 2;
    private bool _inPayload;
    private long _payloadRemaining;

    private WebSocketOpcode _frameOpcode;
    private bool _frameFin;
    private bool _frameCompressed;
    private bool _frameMasked;
    private int _maskIndex;
    private int _controlCount;

    private bool _inMessage;
    private bool _messageCompressed;

    public WebSocketFrameDecoder(IWebSocketPayloadSink sink, WebSocketDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _sink = sink;
        _options = options ?? new WebSocketDecoderOptions();
    }

    /// <summary>The decoder met a protocol violation or bad compressed data and ignores further input.</summary>
    public bool Failed => Error != WebSocketDecoderError.None;

    public WebSocketDecoderError Error { get; private set; }

    /// <summary>A short description of <see cref="Error"/>, or null while decoding goes well.</summary>
    public string? FailureReason => Error switch
    {
        WebSocketDecoderError.None => null,
        WebSocketDecoderError.ReservedOpcode => "reserved opcode",
        WebSocketDecoderError.ReservedBitsSet => "reserved bits set without a negotiated extension",
        WebSocketDecoderError.CompressedBitMisplaced => "RSV1 set on a control or continuation frame",
        WebSocketDecoderError.FragmentedControlFrame => "fragmented control frame",
        WebSocketDecoderError.ControlFrameTooLong => "control frame longer than 125 bytes",
        WebSocketDecoderError.UnexpectedContinuation => "continuation frame without a message to continue",
        WebSocketDecoderError.ExpectedContinuation => "new message before the fragmented one ended",
        WebSocketDecoderError.FrameTooLong => "frame length of 2^63 or more",
        WebSocketDecoderError.InvalidCompressedData => "invalid permessage-deflate data",
        _ => Error.ToString(),
    };

    private bool Stopped => Failed || _disposed;

    /// <summary>Decodes the next bytes of this direction, exactly as they came off the wire.</summary>
    public void Push(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty && !Stopped)
        {
            if (_inPayload)
            {
                int take = (int)Math.Min(bytes.Length, _payloadRemaining);
                ConsumePayload(bytes[..take]);
                bytes = bytes[take..];
                _payloadRemaining -= take;
                if (_payloadRemaining == 0 && !Stopped)
                {
                    EndFrame();
                }
            }
            else
            {
                int take = Math.Min(bytes.Length, _headerNeeded - _headerCount);
                bytes[..take].CopyTo(_header.AsSpan(_headerCount));
                _headerCount += take;
                bytes = bytes[take..];
                if (_headerCount == _headerNeeded)
                {
                    OnHeaderComplete();
                }
            }
        }
    }

    /// <summary>Returns pooled buffers and frees the inflater; later input is ignored. Not for use from a sink callback.</summary>
    public void Dispose()
    {
        _disposed = true;
        ReleaseBuffers();
    }

    /// <summary>Called when the header bytes asked for are in: first the two fixed bytes, then the rest.</summary>
    private void OnHeaderComplete()
    {
        if (_headerCount == 2)
        {
            // The first two bytes say everything worth rejecting, so a bad frame fails before its length arrives.
            if (!ReadFixedHeader())
            {
                return;
            }

            int lengthBytes = (_header[1] & 0x7F) switch
            {
                126 => 2,
                127 => 8,
                _ => 0,
            };
            _headerNeeded = 2 + lengthBytes + (_frameMasked ? 4 : 0);
            if (_headerNeeded > 2)
            {
                return;
            }
        }

        StartFrame();
    }

    private bool ReadFixedHeader()
    {
        byte first = _header[0];
        byte second = _header[1];
        var opcode = (WebSocketOpcode)(first & 0x0F);
        bool fin = (first & 0x80) != 0;
        bool rsv1 = (first & 0x40) != 0;
        bool control = (first & 0x08) != 0;

        var error = WebSocketDecoderError.None;
        if (opcode is not (WebSocketOpcode.Continuation or WebSocketOpcode.Text or WebSocketOpcode.Binary
            or WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong))
        {
            error = WebSocketDecoderError.ReservedOpcode;
        }
        else if ((first & 0x30) != 0 || (rsv1 && !_options.PerMessageDeflate))
        {
            error = WebSocketDecoderError.ReservedBitsSet;
        }
        else if (rsv1 && (control || opcode == WebSocketOpcode.Continuation))
        {
            // RFC 7692 section 6.1: only the first frame of a data message carries the "compressed" bit.
            error = WebSocketDecoderError.CompressedBitMisplaced;
        }
        else if (control && !fin)
        {
            error = WebSocketDecoderError.FragmentedControlFrame;
        }
        else if (control && (second & 0x7F) > MaxControlPayloadLength)
        {
            error = WebSocketDecoderError.ControlFrameTooLong;
        }
        else if (opcode == WebSocketOpcode.Continuation && !_inMessage)
        {
            error = WebSocketDecoderError.UnexpectedContinuation;
        }
        else if (!control && opcode != WebSocketOpcode.Continuation && _inMessage)
        {
            error = WebSocketDecoderError.ExpectedContinuation;
        }

        if (error != WebSocketDecoderError.None)
        {
            Fail(error);
            return false;
        }

        _frameOpcode = opcode;
        _frameFin = fin;
        _frameCompressed = rsv1;
        _frameMasked = (second & 0x80) != 0;
        return true;
    }

    private void StartFrame()
    {
        var extended = _header.AsSpan(2);
        long length;
        switch (_header[1] & 0x7F)
        {
            case 126:
                length = BinaryPrimitives.ReadUInt16BigEndian(extended);
                break;
            case 127:
                ulong declared = BinaryPrimitives.ReadUInt64BigEndian(extended);
                if (declared > long.MaxValue)
                {
                    Fail(WebSocketDecoderError.FrameTooLong);
                    return;
                }

                length = (long)declared;
                break;
            default:
                length = _header[1] & 0x7F;
                break;
        }

        if (_frameMasked)
        {
            _header.AsSpan(_headerNeeded - 4, 4).CopyTo(_maskKey);
            _maskIndex = 0;
        }

        _headerCount = 0;
        _headerNeeded = 2;
        _controlCount = 0;

        if (_frameOpcode is WebSocketOpcode.Text or WebSocketOpcode.Binary)
        {
            _inMessage = true;
            _messageCompressed = _frameCompressed;
            _sink.OnMessageStart(_frameOpcode);
            if (_messageCompressed)
            {
                _inflater ??= new PerMessageInflater(_options.NoContextTakeover, _options.MaxDecompressedMessageBytes);
                _inflater.StartMessage();
            }
        }

        _payloadRemaining = length;
        _inPayload = length > 0;
        if (!_inPayload)
        {
            EndFrame();
        }
    }

    private void ConsumePayload(ReadOnlySpan<byte> payload)
    {
        if (IsControl(_frameOpcode))
        {
            var destination = _control.AsSpan(_controlCount);
            if (_frameMasked)
            {
                _maskIndex = WebSocketMask.Apply(payload, destination, _maskKey, _maskIndex);
            }
            else
            {
                payload.CopyTo(destination);
            }

            _controlCount += payload.Length;
            return;
        }

        if (!_frameMasked && !_messageCompressed)
        {
            _sink.OnPayload(payload);
            return;
        }

        // Unmasking needs somewhere to write, and the inflater reads its input later from memory, not a span.
        var scratch = _scratch ??= ArrayPool<byte>.Shared.Rent(ScratchSize);
        while (!payload.IsEmpty && !Stopped)
        {
            int n = Math.Min(payload.Length, scratch.Length);
            if (_frameMasked)
            {
                _maskIndex = WebSocketMask.Apply(payload[..n], scratch, _maskKey, _maskIndex);
            }
            else
            {
                payload[..n].CopyTo(scratch);
            }

            if (_messageCompressed)
            {
                Inflate(scratch.AsMemory(0, n), endOfMessage: false);
            }
            else
            {
                _sink.OnPayload(scratch.AsSpan(0, n));
            }

            payload = payload[n..];
        }
    }

    private void EndFrame()
    {
        _inPayload = false;
        if (IsControl(_frameOpcode))
        {
            _sink.OnControlFrame(_frameOpcode, _control.AsSpan(0, _controlCount));
            return;
        }

        if (!_frameFin)
        {
            return;
        }

        if (_messageCompressed)
        {
            Inflate(default, endOfMessage: true);
            if (Stopped)
            {
                return;
            }
        }

        _inMessage = false;
        _sink.OnMessageEnd();
    }

    private void Inflate(ReadOnlyMemory<byte> compressed, bool endOfMessage)
    {
        try
        {
            if (endOfMessage)
            {
                _inflater!.EndMessage(_sink);
            }
            else
            {
                _inflater!.Push(compressed, _sink);
            }
        }
        catch (InvalidDataException)
        {
            Fail(WebSocketDecoderError.InvalidCompressedData);
        }
    }

    private void Fail(WebSocketDecoderError error)
    {
        Error = error;
        if (_inMessage)
        {
            _inMessage = false;
            _sink.OnMessageEnd();
        }

        ReleaseBuffers();
    }

    private void ReleaseBuffers()
    {
        _inflater?.Dispose();
        _inflater = null;
        if (_scratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = null;
        }
    }

    private static bool IsControl(WebSocketOpcode opcode) => ((byte)opcode & 0x08) != 0;
}
