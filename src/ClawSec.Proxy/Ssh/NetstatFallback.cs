using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace ClawSec.Proxy.Ssh;

/// <summary>
/// Where there is no <c>/proc</c> (macOS, BSD), established connections come from <c>netstat -an -p tcp</c>;
/// owners are not visible that way.
/// </summary>
internal static class NetstatFallback
{
    public static IReadOnlyList<TcpConnection> Read()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("netstat", "-an -p tcp") { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is null)
            {
                return [];
            }

            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit(5000);
            return Parse(output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return [];
        }
    }

    /// <summary>BSD netstat rows: <c>tcp4 0 0 192.168.1.5.51234 10.0.0.1.22 ESTABLISHED</c> (port after the last dot).</summary>
    internal static IReadOnlyList<TcpConnection> Parse(string output)
    {
        var rows = new List<TcpConnection>();
        foreach (var line in output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !fields[0].StartsWith("tcp", StringComparison.Ordinal) || fields[5] != "ESTABLISHED"
                || !TryParse(fields[3], out var local) || !TryParse(fields[4], out var remote))
            {
                continue;
            }

            rows.Add(new TcpConnection(local, remote, TcpConnection.Established, 0));
        }

        return rows;
    }

    private static bool TryParse(string field, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var dot = field.LastIndexOf('.');
        if (dot <= 0 || !int.TryParse(field.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || !IPAddress.TryParse(field[..dot], out var address))
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
