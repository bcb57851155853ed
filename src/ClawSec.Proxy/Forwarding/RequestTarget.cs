using System.Globalization;
using System.Net;

namespace ClawSec.Proxy.Forwarding;

/// <summary>
/// Where a proxied request goes, taken from its absolute-form target (<c>GET http://host:port/path</c>).
/// </summary>
internal sealed record RequestTarget(string Scheme, string Host, int Port)
{
    /// <summary><c>host:port</c>, the <c>dest</c> of a threat record; IPv6 addresses in brackets.</summary>
    public string Dest => (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The prefix the forwarder sends to: scheme and authority.</summary>
    public string DestinationPrefix => $"{Scheme}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses an absolute-form request target; null for origin-form or a scheme we do not forward.</summary>
    public static RequestTarget? FromAbsoluteForm(string rawTarget)
    {
        if (!rawTarget.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            && !rawTarget.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!Uri.TryCreate(rawTarget, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return null;
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.IdnHost;
        return new RequestTarget(uri.Scheme.ToLowerInvariant(), host.ToLowerInvariant(), uri.Port);
    }

    /// <summary>True when the target is this very listener (a request that would loop through the proxy).</summary>
    public bool IsSelf(IPAddress? localAddress, int localPort)
    {
        if (Port != localPort || localAddress is null)
        {
            return false;
        }

        if (Host == "localhost")
        {
            return IPAddress.IsLoopback(localAddress);
        }

        return IPAddress.TryParse(Host, out var address)
            && (address.Equals(localAddress) || (IPAddress.IsLoopback(address) && IPAddress.IsLoopback(localAddress)));
    }
}
