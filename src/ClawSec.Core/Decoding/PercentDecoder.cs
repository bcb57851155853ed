using System.Buffers;
using System.Text;

namespace ClawSec.Core.Decoding;

/// <summary>
/// Undoes percent-encoding (RFC 3986 section 2.1) on bytes pushed in pieces of any size, an escape split between
/// pushes included. A <c>%</c> not followed by two hex digits is kept as written, as browsers do. For
/// <c>application/x-www-form-urlencoded</c> (WHATWG URL standard, section 5.1) a <c>+</c> stands for a space,
/// and each <c>&amp;</c> between fields can become a line feed so every field reads as a <c>name=value</c> line.
/// </summary>
internal sealed class PercentDecoder
{
    private const int BufferSize = 4096;

    private readonly bool _form;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _length;

    // 0 outside an escape; 1 after '%'; 2 after '%' and the first hex digit, kept in _firstDigit.
    private int _escape;
    private byte _firstDigit;

    /// <param name="form">Decode as a form body: <c>+</c> is a space and <c>&amp;</c> a line feed.</param>
    public PercentDecoder(bool form) => _form = form;

    public void Push(ReadOnlySpan<byte> input, IByteSink output)
    {
        foreach (byte b in input)
        {
            switch (_escape)
            {
                case 0:
                    if (b == '%')
                    {
                        _escape = 1;
                    }
                    else
                    {
                        Add(_form ? b switch { (byte)'+' => (byte)' ', (byte)'&' => (byte)'\n', _ => b } : b, output);
                    }

                    break;
                case 1:
                    if (HexValue(b) >= 0)
                    {
                        _firstDigit = b;
                        _escape = 2;
                    }
                    else
                    {
                        _escape = 0;
                        Add((byte)'%', output);
                        Push([b], output);
                    }

                    break;
                default:
                    _escape = 0;
                    if (HexValue(b) is var low and >= 0)
                    {
                        Add((byte)((HexValue(_firstDigit) << 4) | low), output);
                    }
                    else
                    {
                        Add((byte)'%', output);
                        Add(_firstDigit, output);
                        Push([b], output);
                    }

                    break;
            }
        }

        Flush(output);
    }

    /// <summary>The input has ended: an escape left open is kept as written.</summary>
    public void Complete(IByteSink output)
    {
        if (_escape >= 1)
        {
            Add((byte)'%', output);
        }

        if (_escape == 2)
        {
            Add(_firstDigit, output);
        }

        _escape = 0;
        Flush(output);
    }

    /// <summary>Percent-decodes a whole text, read as UTF-8 both before and after.</summary>
    public static string Decode(ReadOnlySpan<char> text, bool form)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int count = Encoding.UTF8.GetBytes(text, bytes);
            var collected = new Collector();
            var decoder = new PercentDecoder(form);
            decoder.Push(bytes.AsSpan(0, count), collected);
            decoder.Complete(collected);
            return Encoding.UTF8.GetString(collected.Written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private void Add(byte b, IByteSink output)
    {
        if (_length == _buffer.Length)
        {
            Flush(output);
        }

        _buffer[_length++] = b;
    }

    private void Flush(IByteSink output)
    {
        if (_length > 0)
        {
            output.OnBytes(_buffer.AsSpan(0, _length));
            _length = 0;
        }
    }

    private sealed class Collector : IByteSink
    {
        private readonly ArrayBufferWriter<byte> _written = new();

        public ReadOnlySpan<byte> Written => _written.WrittenSpan;

        public void OnBytes(ReadOnlySpan<byte> bytes) => _written.Write(bytes);
    }
}
