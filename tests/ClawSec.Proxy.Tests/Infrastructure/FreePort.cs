using System.Net;
using System.Net.Sockets;

namespace ClawSec.Proxy.Tests.Infrastructure;

internal static class FreePort
{
    /// <summary>A port that was free a moment ago on both loopback addresses.</summary>
    public static int Next()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var v4 = new TcpListener(IPAddress.Loopback, 0);
            v4.Start();
            var port = ((IPEndPoint)v4.LocalEndpoint).Port;
            try
            {
                using var v6 = new TcpListener(IPAddress.IPv6Loopback, port);
                v6.Start();
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    public static bool IsOpen(int port, IPAddress? address = null)
    {
        using var client = new TcpClient(address?.AddressFamily ?? AddressFamily.InterNetwork);
        try
        {
            client.Connect(address ?? IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
