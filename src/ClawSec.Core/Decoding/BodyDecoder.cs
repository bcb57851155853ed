using System.Text;

namespace ClawSec.Core.Decoding;

/// <summary>
/// The decoding pipeline for one HTTP body: bytes in as they arrive, the body's text out, for a streaming
/// scanner. Pure: no I/O, no clock.
/// </summary>
/// <remarks>
/// <para>How it composes, from the headers given to <see cref="Create"/>:</para>
/// <code>
/// body bytes ─▶ ContentDecoder (Content-Encoding: gzip, deflate, br, zstd, stacked; limit on decoded bytes)
///   ─▶ by Content-Type (BodyFormat):
///        text/event-stream                  ─▶ SseDecoder ─▶ SseJsonDeltaJoiner ─┐
///        application/x-www-form-urlencoded  ─▶ form decoding (name=value lines) ─┤
///        JSON, text and everything else     ─▶ charset ─▶ JsonStringExtractor ───┤
///                                                                               ▼
///                                             text sink: one continuous text, in order
///                                             view sink (optional): TextViews.Decode of each line
/// </code>
/// <para>The text sink's chunks are one continuous text, so a scanner fed them in order finds a match wherever
/// the network or the decoders cut it. Each call to the view sink is one whole extra reading of a line of that
/// text (percent-, HTML- or base64-decoded), to be scanned on its own. The output does not depend on how the
/// body was chunked.</para>
/// <para>A body whose <c>Content-Encoding</c> is unknown is passed through as it is, as a client that does not
/// know the coding would see it, and <see cref="Failed"/> says it could not be decoded. Corrupt or truncated
/// compressed data also stops decoding with <see cref="Failed"/>; what was decoded before is still delivered and
/// flushed. The decoder never throws on bad input; exceptions thrown by the sinks are not caught. Not
/// thread-safe: one instance per body, fed in order.</para>
/// </remarks>
public sealed class BodyDecoder : IDisposable
{
    /// <summary>16 MiB of decoded body, as for <see cref="ContentDecoder"/>.</summary>
    public const long DefaultMaxDecodedBytes = ContentDecoder.DefaultMaxDecodedBytes;

    private readonly ContentDecoder _content;
    private readonly string? _unsupportedReason;
    private readonly ContentTarget _target;
    private bool _textFinished;

    private BodyDecoder(BodyFormat format, string? charset, string? contentEncoding, long maxDecodedBytes, ITextSink text, ITextSink? views)
    {
        Format = format;
        var finder = views is null ? null : new TextViewFinder(text, views);
        _target = new ContentTarget(format, CharsetDecoder.EncodingFor(charset), finder ?? text, finder);
        _content = ContentDecoder.Create(contentEncoding, _target, maxDecodedBytes);
        if (!_content.CanDecode)
        {
            _unsupportedReason = _content.FailureReason;
            _content.Dispose();
            _content = ContentDecoder.Create(null, _target, maxDecodedBytes);
        }
    }

    public BodyFormat Format { get; }

    /// <summary>The body could not be decoded: an unknown content coding, or corrupt or truncated compressed data.</summary>
    public bool Failed => Error != ContentDecoderError.None;

    public ContentDecoderError Error => _unsupportedReason is null ? _content.Error : ContentDecoderError.UnsupportedEncoding;

    /// <summary>A short description of <see cref="Error"/>, or null while decoding goes well.</summary>
    public string? FailureReason => _unsupportedReason ?? _content.FailureReason;

    /// <summary>The decoded body reached the limit; the rest was not decoded.</summary>
    public bool LimitReached => _content.LimitReached;

    /// <summary>Bytes of decoded body (before text decoding) taken so far.</summary>
    public long DecodedBytes => _content.DecodedBytes;

    /// <summary>A decoder for one body with the given header values (either may be null).</summary>
    /// <param name="contentType">The <c>Content-Type</c> header: picks the <see cref="BodyFormat"/> and the charset.</param>
    /// <param name="contentEncoding">The <c>Content-Encoding</c> header, several lines joined with commas.</param>
    /// <param name="maxDecodedBytes">Decoded bytes taken at most; 0 takes none.</param>
    /// <param name="text">Receives the body's text.</param>
    /// <param name="views">Receives other readings of the text's lines, each whole; null to skip looking for them.</param>
    public static BodyDecoder Create(string? contentType, string? contentEncoding, long maxDecodedBytes, ITextSink text, ITextSink? views = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecodedBytes);
        var (format, charset) = ParseContentType(contentType);
        return new BodyDecoder(format, charset, contentEncoding, maxDecodedBytes, text, views);
    }

    /// <summary>The format a <c>Content-Type</c> header value gets.</summary>
    public static BodyFormat FormatOf(string? contentType) => ParseContentType(contentType).Format;

    /// <summary>Decodes the next bytes of the body, exactly as they came off the wire (after any transfer coding).</summary>
    public void Push(ReadOnlySpan<byte> bytes)
    {
        if (_textFinished)
        {
            return;
        }

        _content.Push(bytes);
        if (_content.Failed || _content.LimitReached)
        {
            // Nothing more will come: what the text decoders hold is delivered now rather than at the end.
            FinishText();
        }
    }

    /// <summary>The body has ended: delivers everything held back.</summary>
    public void Complete()
    {
        if (!_textFinished)
        {
            _content.Complete();
            FinishText();
        }
    }

    public void Dispose() => _content.Dispose();

    private static (BodyFormat Format, string? Charset) ParseContentType(string? contentType)
    {
        var parts = (contentType ?? "").Split(';', StringSplitOptions.TrimEntries);
        var mediaType = parts[0].ToLowerInvariant();
        var charset = parts.Skip(1)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .FirstOrDefault(p => p.Length == 2 && p[0].Equals("charset", StringComparison.OrdinalIgnoreCase))?[1];

        var format = mediaType switch
        {
            "text/event-stream" => BodyFormat.EventStream,
            "application/x-www-form-urlencoded" => BodyFormat.Form,
            "application/json" or "text/json" or "application/x-ndjson" or "application/ndjson" or "application/jsonl"
                or "application/x-jsonlines" or "application/json-seq" => BodyFormat.Json,
            _ when mediaType.EndsWith("+json", StringComparison.Ordinal) => BodyFormat.Json,
            _ => BodyFormat.Text,
        };
        return (format, charset);
    }

    private void FinishText()
    {
        if (!_textFinished)
        {
            _textFinished = true;
            _target.Complete();
        }
    }

    /// <summary>Takes the decoded body bytes and sends them through the text decoders of the body's format.</summary>
    private sealed class ContentTarget : IByteSink
    {
        private readonly SseDecoder? _events;
        private readonly SseJsonDeltaJoiner? _joiner;
        private readonly PercentDecoder? _form;
        private readonly CharsetDecoder? _charset;
        private readonly JsonStringExtractor? _json;
        private readonly TextViewFinder? _finder;

        public ContentTarget(BodyFormat format, Encoding encoding, ITextSink output, TextViewFinder? finder)
        {
            _finder = finder;
            switch (format)
            {
                case BodyFormat.EventStream:
                    // Event streams are always UTF-8 (WHATWG HTML, section 9.2.5), whatever the header says.
                    _joiner = new SseJsonDeltaJoiner(output);
                    _events = new SseDecoder(_joiner);
                    break;
                case BodyFormat.Form:
                    _form = new PercentDecoder(form: true);
                    _charset = new CharsetDecoder(encoding, output);
                    break;
                default:
                    // A body labelled text may still be JSON, and a JSON body may be broken: the extractor decides.
                    _json = new JsonStringExtractor(output);
                    _charset = new CharsetDecoder(encoding, _json);
                    break;
            }
        }

        public void OnBytes(ReadOnlySpan<byte> bytes)
        {
            if (_events is not null)
            {
                _events.Push(bytes);
            }
            else if (_form is not null)
            {
                _form.Push(bytes, _charset!);
            }
            else
            {
                _charset!.OnBytes(bytes);
            }
        }

        public void Complete()
        {
            _events?.Complete();
            _joiner?.Complete();
            _form?.Complete(_charset!);
            _charset?.Complete();
            _json?.Complete();
            _finder?.Complete();
        }
    }
}
