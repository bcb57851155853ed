using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Certificates;

/// <summary>
/// Writes <c>ca-bundle.pem</c>: the system's trusted roots followed by the ClawSec CA. Variables such as
/// SSL_CERT_FILE and REQUESTS_CA_BUNDLE replace a runtime's trust store rather than add to it, so pointing them
/// at the CA alone would break every TLS connection that is not intercepted.
/// </summary>
internal static partial class TrustBundle
{
    public const string FileName = "ca-bundle.pem";

    private static readonly string[] SystemBundles =
    [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/ssl/cert.pem",
    ];

    public static void Write(string logDir, string caPem, ILogger logger)
    {
        var system = FindSystemBundle();
        var text = system is null ? "" : File.ReadAllText(system);
        if (system is null)
        {
            Log.NoSystemBundle(logger);
        }

        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            text += "\n";
        }

        var path = Path.Combine(logDir, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, text + "# ClawSec local CA\n" + caPem);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temp, path, overwrite: true);
    }

    private static string? FindSystemBundle()
    {
        // The bundle this process itself trusts comes first, so a customised SSL_CERT_FILE carries over.
        var fromEnvironment = Environment.GetEnvironmentVariable("SSL_CERT_FILE");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment) && !fromEnvironment.EndsWith(FileName, StringComparison.Ordinal))
        {
            return fromEnvironment;
        }

        return SystemBundles.FirstOrDefault(File.Exists);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "No system CA bundle found; ca-bundle.pem holds only the ClawSec CA")]
        public static partial void NoSystemBundle(ILogger logger);
    }
}
