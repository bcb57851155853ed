using System.Globalization;
using ClawSec.Cli.Configuration;
using ClawSec.Core.Configuration;

namespace ClawSec.Cli.Commands;

/// <summary>
/// <c>clawsec env</c>: the shell exports that route an agent through ClawSec and make the common runtimes trust
/// its CA, ready for <c>eval "$(clawsec env)"</c>. Bundle variables get ca-bundle.pem (system roots + the CA),
/// since they replace a runtime's trust store; NODE_EXTRA_CA_CERTS adds to Node's, so it gets the CA alone.
/// </summary>
internal static class EnvCommand
{
    public static int Run(string? configPath, TextWriter stdout, TextWriter stderr)
    {
        ClawSecConfig config;
        try
        {
            config = ConfigSource.Load(configPath, stderr);
        }
        catch (ConfigException ex)
        {
            stderr.WriteLine("clawsec: config error: " + ex.Message);
            return ExitCodes.Usage;
        }

        var host = config.ProxyHost is "0.0.0.0" or "::" or "[::]" ? "127.0.0.1" : config.ProxyHost;
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = "[" + host + "]";
        }

        var credentials = config.ProxyAuth is null ? "" : Uri.EscapeDataString(config.ProxyAuth.Split(':', 2)[0]) + ":"
            + Uri.EscapeDataString(config.ProxyAuth.Split(':', 2)[1]) + "@";
        var proxy = $"http://{credentials}{host}:{config.ProxyPort.ToString(CultureInfo.InvariantCulture)}";
        var ca = Path.Combine(config.LogDir, "ca.crt");
        var bundle = Path.Combine(config.LogDir, "ca-bundle.pem");
        if (!File.Exists(ca))
        {
            stderr.WriteLine($"clawsec: warning: {ca} does not exist yet; run `clawsec start` once to create the CA");
        }

        var exports = new (string Name, string Value)[]
        {
            ("HTTP_PROXY", proxy), ("HTTPS_PROXY", proxy), ("http_proxy", proxy), ("https_proxy", proxy),
            ("NO_PROXY", "localhost,127.0.0.1,::1"), ("no_proxy", "localhost,127.0.0.1,::1"),
            ("NODE_EXTRA_CA_CERTS", ca), ("NODE_USE_ENV_PROXY", "1"),
            ("SSL_CERT_FILE", bundle), ("REQUESTS_CA_BUNDLE", bundle), ("CURL_CA_BUNDLE", bundle), ("GIT_SSL_CAINFO", bundle),
        };
        foreach (var (name, value) in exports)
        {
            stdout.WriteLine($"export {name}={Quote(value)}");
        }

        return ExitCodes.Ok;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
