using System.Globalization;
using System.Net;

namespace ClawSec.Proxy.Ssh;

/// <summary>One row of <c>/proc/net/tcp</c> or <c>/proc/net/tcp6</c>.</summary>
internal sealed record TcpConnection(IPEndPoint Local, IPEndPoint Remote, int State, long Inode)
{
    public const int Established = 1;
}

/// <summary>Parses the kernel's TCP tables. Pure: text in, rows out; malformed rows are skipped.</summary>
internal static class ProcNetTcp
{
    public static IEnumerable<TcpConnection> Parse(string text)
    {
        foreach (var line in text.Split('\n').Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10
                || !TryParseEndpoint(fields[1], out var local)
                || !TryParseEndpoint(fields[2], out var remote)
                || !int.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var state)
                || !long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }

            yield return new TcpConnection(local, remote, state, inode);
        }
    }

    /// <summary>
    /// <c>0100007F:0016</c>: the address is the kernel's in-memory words printed in hex, so each 32-bit word is in
    /// host (little-endian) byte order; the port is big-endian hex.
    /// </summary>
    internal static bool TryParseEndpoint(string field, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = field.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !int.TryParse(field.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        var hex = field[..colon];
        if (hex.Length is not (8 or 32))
        {
            return false;
        }

        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            for (var b = 0; b < 4; b++)
            {
                if (!byte.TryParse(hex.AsSpan(word * 8 + (3 - b) * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[word * 4 + b]))
                {
                    return false;
                }
            }
        }

        var address = new IPAddress(bytes);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
