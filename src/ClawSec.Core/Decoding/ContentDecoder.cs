namespace ClawSec.Core.Decoding;

/// <summary>
/// Undoes an HTTP <c>Content-Encoding</c> (RFC 9110 section 8.4) on a body pushed in pieces of any size:
/// <c>gzip</c> (and <c>x-gzip</c>), <c>deflate</c> (zlib-wrapped as the RFC says, or raw DEFLATE as some servers
/// send it, told apart by the first two bytes), <c>br</c>, <c>zstd</c> and <c>identity</c>, also stacked
/// (<c>gzip, br</c> was gzipped first, so it is decoded as brotli and then gzip). One decoder per body.
/// </summary>
/// <remarks>
/// The decoder observes a copy of traffic that is relayed regardless, so it never throws on bad input: corrupt
/// or truncated data puts it in the <see cref="Failed"/> state after delivering what decoded before it, and
/// later input is ignored. Data after the end of a gzip, deflate or brotli stream is ignored, as clients do.
/// At most <see cref="DefaultMaxDecodedBytes"/> (or the limit given) are delivered; the output of every stage
/// counts against the limit, so a stacked bomb stops early too. Between pushes the decoder keeps the
/// decompressors' state and no input. Exceptions thrown by the sink are not caught.
/// </remarks>
public sealed class ContentDecoder : IDisposable
{
    /// <summary>16 MiB: far above real API bodies, far below what a decompression bomb expands to.</summary>
    public const long DefaultMaxDecodedBytes = 16 * 1024 * 1024;

    private readonly IByteSink _sink;
    private readonly long _maxDecodedBytes;
    private readonly ContentCodingStage[] _stages;
    private readonly StageOutput[] _outputs;

    // Bytes handed to each stage after the first and to the sink, the last entry; a stage's input is the
    // previous stage's output, so each entry is a decoded size that the limit applies to.
    private readonly long[] _delivered;
    private string? _failedCoding;
    private bool _completed;
    private bool _released;

    private ContentDecoder(IByteSink sink, long maxDecodedBytes, IReadOnlyList<string> codings, ContentCodingStage[] stages, string? unsupported)
    {
        _sink = sink;
        _maxDecodedBytes = maxDecodedBytes;
        Codings = codings;
        _stages = stages;
        _outputs = new StageOutput[stages.Length];
        for (int i = 0; i < stages.Length; i++)
        {
            _outputs[i] = new StageOutput(this, i + 1, stages[i].Coding);
        }

        _delivered = new long[stages.Length + 1];
        if (unsupported is not null)
        {
            Error = ContentDecoderError.UnsupportedEncoding;
            _failedCoding = unsupported;
        }
    }

    /// <summary>The content codings in the order the sender applied them, lower-cased, without <c>identity</c>.</summary>
    public IReadOnlyList<string> Codings { get; }

    /// <summary>False when a coding is unknown (see <see cref="FailureReason"/>); such a decoder delivers nothing.</summary>
    public bool CanDecode => Error != ContentDecoderError.UnsupportedEncoding;

    /// <summary>The body cannot be decoded, or stopped decoding at corrupt or truncated data.</summary>
    public bool Failed => Error != ContentDecoderError.None;

    public ContentDecoderError Error { get; private set; }

    /// <summary>A short description of <see cref="Error"/>, or null while decoding goes well.</summary>
    public string? FailureReason => Error switch
    {
        ContentDecoderError.None => null,
        ContentDecoderError.UnsupportedEncoding => $"cannot decode content encoding '{_failedCoding}'",
        ContentDecoderError.InvalidData => $"invalid {_failedCoding} data",
        ContentDecoderError.Truncated => $"{_failedCoding} data ends early",
        _ => Error.ToString(),
    };

    /// <summary>The decoded body reached the limit; the rest was not decoded.</summary>
    public bool LimitReached { get; private set; }

    /// <summary>Decoded bytes delivered to the sink so far.</summary>
    public long DecodedBytes => _delivered[^1];

    internal bool Stopped => Failed || LimitReached || _completed || _released;

    /// <summary>
    /// A decoder for a body with the given <c>Content-Encoding</c> header value (several header lines joined with
    /// commas). Null or empty means identity. An unknown coding gives a decoder that cannot decode.
    /// </summary>
    public static ContentDecoder Create(string? contentEncoding, IByteSink sink, long maxDecodedBytes = DefaultMaxDecodedBytes)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecodedBytes);

        var codings = (contentEncoding ?? "")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.ToLowerInvariant())
            .Where(c => c != "identity")
            .Select(c => c == "x-gzip" ? "gzip" : c)
            .ToArray();

        var unsupported = codings.FirstOrDefault(c => c is not ("gzip" or "deflate" or "br" or "zstd"));
        if (unsupported is not null)
        {
            return new ContentDecoder(sink, maxDecodedBytes, codings, [], unsupported);
        }

        // The last coding applied is the first to undo.
        var stages = codings.Reverse().Select(CreateStage).ToArray();
        return new ContentDecoder(sink, maxDecodedBytes, codings, stages, unsupported: null);
    }

    /// <summary>Decodes the next bytes of the body, exactly as they came off the wire.</summary>
    public void Push(ReadOnlySpan<byte> bytes)
    {
        if (Stopped || bytes.IsEmpty)
        {
            return;
        }

        Forward(0, bytes);
        ReleaseIfStopped();
    }

    /// <summary>The body has ended: reports a truncated stream and frees the decompressors.</summary>
    public void Complete()
    {
        for (int i = 0; i < _stages.Length && !Stopped; i++)
        {
            _stages[i].Complete(_outputs[i]);
        }

        _completed = true;
        ReleaseIfStopped();
    }

    public void Dispose() => Release();

    /// <summary>Hands bytes to stage <paramref name="index"/>, or to the sink past the last stage.</summary>
    internal void Forward(int index, ReadOnlySpan<byte> bytes)
    {
        if (Stopped)
        {
            return;
        }

        // The first stage's input is the compressed body, which the limit does not apply to.
        bool decoded = index > 0 || _stages.Length == 0;
        bool overLimit = false;
        if (decoded)
        {
            long room = _maxDecodedBytes - _delivered[index];
            if (bytes.Length > room)
            {
                bytes = bytes[..(int)room];
                overLimit = true;
            }

            _delivered[index] += bytes.Length;
        }

        if (!bytes.IsEmpty)
        {
            if (index == _stages.Length)
            {
                _sink.OnBytes(bytes);
            }
            else
            {
                _stages[index].Push(bytes, _outputs[index]);
            }
        }

        if (overLimit)
        {
            LimitReached = true;
        }
    }

    internal void Fail(ContentDecoderError error, string coding)
    {
        if (!Failed)
        {
            Error = error;
            _failedCoding = coding;
        }
    }

    private static ContentCodingStage CreateStage(string coding) => coding switch
    {
        "gzip" => new InflateStage(coding, gzip: true),
        "deflate" => new InflateStage(coding, gzip: false),
        "br" => new BrotliStage(coding),
        _ => new ZstdStage(coding),
    };

    // Stages are freed only once control is back here, never from inside a stage that is still running.
    private void ReleaseIfStopped()
    {
        if (Stopped)
        {
            Release();
        }
    }

    private void Release()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        foreach (var stage in _stages)
        {
            stage.Dispose();
        }
    }
}
