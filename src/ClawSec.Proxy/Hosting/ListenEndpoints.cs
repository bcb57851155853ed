using System.Net;

namespace ClawSec.Proxy.Hosting;

/// <summary>Turns <c>proxy_host</c> into the addresses to bind.</summary>
internal static class ListenEndpoints
{
    /// <summary>
    /// Loopback means both 127.0.0.1 and ::1 (Node resolves <c>localhost</c> to ::1 first); anything else is one
    /// address. Throws <see cref="ArgumentException"/> for a host that is not an address.
    /// </summary>
    public static IReadOnlyList<IPAddress> Resolve(string proxyHost)
    {
        if (proxyHost.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        }

        if (!IPAddress.TryParse(proxyHost.Trim('[', ']'), out var address))
        {
            throw new ArgumentException($"proxy_host must be an IP address or localhost, got \"{proxyHost}\"");
        }

        if (address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.IPv6Loopback))
        {
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        }

        return [address];
    }

    public static bool IsLoopbackOnly(IReadOnlyList<IPAddress> addresses) => addresses.All(IPAddress.IsLoopback);

    public static string Format(IPAddress address, int port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}
