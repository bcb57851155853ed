namespace ClawSec.Proxy.Tunneling;

/// <summary>
/// Set on a connection that arrived through CONNECT: the requests Kestrel parses on it go to this target,
/// whatever their Host header says.
/// </summary>
internal sealed record TunnelFeature(string Host, int Port, bool Tls, string TunnelId)
{
    public string Dest => (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) + ":" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
