using System.Buffers;
using System.Globalization;
using System.Text;

namespace ClawSec.Proxy.Tunneling;

internal enum ConnectParseStatus
{
    /// <summary>The bytes so far could still be a CONNECT head: read more.</summary>
    NeedMoreData,

    /// <summary>Not a CONNECT request: hand the untouched bytes to Kestrel.</summary>
    NotConnect,

    /// <summary>A CONNECT head that is malformed or too large.</summary>
    Invalid,

    Parsed,
}

/// <summary>A parsed <c>CONNECT host:port HTTP/1.x</c> head.</summary>
internal sealed record ConnectRequest(string Host, int Port, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string Dest => (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    public string? Header(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>
/// Recognises a CONNECT as the first request of a connection, before Kestrel parses anything. Pure: bytes in,
/// a decision out. Only the CONNECT head itself is parsed here; every other request goes to Kestrel's parser.
/// </summary>
internal static class ConnectRequestParser
{
    public const int MaxHeadBytes = 16 * 1024;

    private static ReadOnlySpan<byte> Prefix => "CONNECT "u8;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    public static ConnectParseStatus TryParse(ReadOnlySequence<byte> buffer, out ConnectRequest? request, out long consumed, out string? error)
    {
        request = null;
        consumed = 0;
        error = null;

        var prefixLength = (int)Math.Min(buffer.Length, Prefix.Length);
        Span<byte> start = stackalloc byte[Prefix.Length];
        buffer.Slice(0, prefixLength).CopyTo(start);
        if (!start[..prefixLength].SequenceEqual(Prefix[..prefixLength]))
        {
            return ConnectParseStatus.NotConnect;
        }

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeadEnd, advancePastDelimiter: true))
        {
            if (buffer.Length > MaxHeadBytes)
            {
                error = "CONNECT request head too large";
                return ConnectParseStatus.Invalid;
            }

            return ConnectParseStatus.NeedMoreData;
        }

        if (head.Length > MaxHeadBytes)
        {
            error = "CONNECT request head too large";
            return ConnectParseStatus.Invalid;
        }

        consumed = reader.Consumed;
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0] != "CONNECT" || (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0"))
        {
            error = "malformed CONNECT request line";
            return ConnectParseStatus.Invalid;
        }

        if (!TryParseAuthority(parts[1], out var host, out var port))
        {
            error = "CONNECT target must be host:port";
            return ConnectParseStatus.Invalid;
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[..colon].Any(c => c is ' ' or '\t' or < '!' or > '~'))
            {
                error = "malformed header in CONNECT request";
                return ConnectParseStatus.Invalid;
            }

            headers.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        request = new ConnectRequest(host, port, headers);
        return ConnectParseStatus.Parsed;
    }

    internal static bool TryParseAuthority(string authority, out string host, out int port)
    {
        host = "";
        port = 0;
        int colon;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= authority.Length || authority[close + 1] != ':')
            {
                return false;
            }

            host = authority[1..close];
            colon = close + 1;
            if (!System.Net.IPAddress.TryParse(host, out _))
            {
                return false;
            }
        }
        else
        {
            colon = authority.LastIndexOf(':');
            if (colon <= 0)
            {
                return false;
            }

            host = authority[..colon];
            if (host.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
            {
                return false;
            }
        }

        host = host.ToLowerInvariant();
        return int.TryParse(authority.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }
}
