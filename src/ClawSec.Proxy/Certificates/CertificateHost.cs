using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClawSec.Proxy.Certificates;

/// <summary>
/// The name a leaf certificate is made for: a lower-case ASCII DNS name, or an IP address.
/// <see cref="Key"/> is the same for every spelling a client may use for one host, so it keys the leaf cache.
/// </summary>
internal sealed record CertificateHost
{
    private const int MaxNameLength = 253;
    private const int MaxLabelLength = 63;

    private CertificateHost(string key, IPAddress? address)
    {
        Key = key;
        Address = address;
    }

    /// <summary>The DNS name (lower case, punycode) or the canonical text of the address.</summary>
    public string Key { get; }

    /// <summary>The address when the host is an IP literal; the leaf then gets an IP SAN instead of a DNS SAN.</summary>
    public IPAddress? Address { get; }

    /// <summary>Parses an SNI name or a CONNECT host: a DNS name, an IPv4 literal, or an IPv6 literal with or without brackets.</summary>
    /// <exception cref="ArgumentException">The host is empty or is neither a valid DNS name nor an IP literal.</exception>
    public static CertificateHost Parse(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var text = host.Trim();
        var parsed = text.Length > 2 && text[0] == '[' && text[^1] == ']' ? ParseIPv6(text[1..^1])
            : text.Contains(':', StringComparison.Ordinal) ? ParseIPv6(text)
            : ParseIPv4(text) ?? ParseDnsName(text);
        return parsed ?? throw new ArgumentException($"'{host}' is neither a valid host name nor an IP address.", nameof(host));
    }

    private static CertificateHost? ParseIPv6(string text)
    {
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        // A zone (fe80::1%eth0) names the local interface, not the host, and cannot appear in a certificate.
        var bare = new IPAddress(address.GetAddressBytes());
        return new CertificateHost(bare.ToString(), bare);
    }

    /// <summary>
    /// Only the dotted-quad form is an address: clients (curl, OpenSSL, Python) hand "127.1" or "0x7f.0.0.1" to
    /// DNS resolution and then check the certificate for that text as a DNS name.
    /// </summary>
    private static CertificateHost? ParseIPv4(string text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork
            && address.ToString() == text
            ? new CertificateHost(text, address)
            : null;

    private static CertificateHost? ParseDnsName(string text)
    {
        // A fully qualified name may end with a dot; certificates never carry it.
        var name = (text.EndsWith('.') ? text[..^1] : text).ToLowerInvariant();
        if (!Ascii.IsValid(name))
        {
            try
            {
                name = new IdnMapping().GetAscii(name);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        return IsValidAsciiName(name) ? new CertificateHost(name, null) : null;
    }

    /// <summary>
    /// Letters, digits, hyphens and underscores in labels of 1 to 63 characters. Underscores are not legal in host
    /// names but occur in real ones, and refusing them would break interception of those hosts.
    /// </summary>
    private static bool IsValidAsciiName(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            return false;
        }

        var labelLength = 0;
        foreach (var c in name)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    return false;
                }

                labelLength = 0;
            }
            else if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_')
            {
                if (++labelLength > MaxLabelLength)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        return labelLength > 0;
    }
}
