using System.Collections.Frozen;

namespace ClawSec.Core.Configuration;

/// <summary>Every configuration key of PRODUCT.md and how a value for it is read into <see cref="ClawSecConfig"/>.</summary>
internal static class ConfigKeys
{
    public delegate ClawSecConfig Setter(ClawSecConfig config, SettingValue value, LoadContext context);

    public const string ProxyPort = "proxy_port";

    /// <summary>The original's name for <see cref="ProxyPort"/>; both may be given if they agree.</summary>
    public const string HttpProxyPort = "http_proxy_port";

    public const string UpstreamCaFile = "upstream_ca_file";

    /// <summary>
    /// Bounds a window or interval so that turning it into a <see cref="TimeSpan"/> or a timer cannot overflow;
    /// a year is far beyond any sensible value.
    /// </summary>
    private const double MaxSeconds = 365 * 24 * 60 * 60;

    private static readonly string[] LogLevels = ["DEBUG", "INFO", "WARNING", "WARN", "ERROR"];

    public static FrozenDictionary<string, Setter> Setters { get; } = new Dictionary<string, Setter>
    {
        ["proxy_host"] = (c, v, _) => c with { ProxyHost = v.ReadNonBlankString() },
        [ProxyPort] = (c, v, _) => c with { ProxyPort = v.ReadPort() },
        [HttpProxyPort] = (c, v, _) => c with { ProxyPort = v.ReadPort() },
        ["log_dir"] = (c, v, context) => c with { LogDir = ReadLogDir(v, context) },
        ["log_level"] = (c, v, _) => c with { LogLevel = ReadLogLevel(v) },
        ["max_scan_bytes"] = (c, v, _) => c with { MaxScanBytes = v.ReadInteger(0, long.MaxValue) },
        ["enable_mitm"] = (c, v, _) => c with { EnableMitm = v.ReadBoolean() },
        ["dedup_window_secs"] = (c, v, _) => c with { DedupWindowSecs = v.ReadNumber(0, minExclusive: false, MaxSeconds) },
        ["enable_http_proxy"] = (c, v, _) => c with { EnableHttpProxy = v.ReadBoolean() },
        ["enable_gateway_proxy"] = (c, v, _) => c with { EnableGatewayProxy = v.ReadBoolean() },
        ["gateway_local_port"] = (c, v, _) => c with { GatewayLocalPort = v.ReadPort() },
        ["gateway_target_port"] = (c, v, _) => c with { GatewayTargetPort = v.ReadPort() },
        ["enable_ssh_watcher"] = (c, v, _) => c with { EnableSshWatcher = v.ReadBoolean() },
        ["ssh_port"] = (c, v, _) => c with { SshPort = v.ReadPort() },
        ["ssh_poll_interval"] = (c, v, _) => c with { SshPollInterval = v.ReadNumber(0, minExclusive: true, MaxSeconds) },
        [UpstreamCaFile] = (c, v, context) => c with { UpstreamCaFile = ReadOptionalPath(v, context) },
        ["proxy_auth"] = (c, v, _) => c with { ProxyAuth = ReadProxyAuth(v) },
        ["allow_unauthenticated_remote"] = (c, v, _) => c with { AllowUnauthenticatedRemote = v.ReadBoolean() },
        ["rules"] = (c, v, context) => c with { Rules = UserRuleReader.Read(v, context.Warnings) },
        ["gitleaks_config"] = (c, v, context) => c with { GitleaksConfig = ReadOptionalPath(v, context) },
        ["report_keys_to_own_provider"] = (c, v, _) => c with { ReportKeysToOwnProvider = v.ReadBoolean() },
        ["resolve"] = (c, v, _) => c with { Resolve = ReadResolve(v) },
        ["upstream_connect_timeout_secs"] = (c, v, _) => c with { UpstreamConnectTimeoutSecs = v.ReadNumber(0, minExclusive: true, MaxSeconds) },
        ["upstream_activity_timeout_secs"] = (c, v, _) => c with { UpstreamActivityTimeoutSecs = v.ReadNumber(0, minExclusive: true, MaxSeconds) },
        ["client_idle_timeout_secs"] = (c, v, _) => c with { ClientIdleTimeoutSecs = v.ReadNumber(0, minExclusive: true, MaxSeconds) },
        ["request_headers_timeout_secs"] = (c, v, _) => c with { RequestHeadersTimeoutSecs = v.ReadNumber(0, minExclusive: true, MaxSeconds) },
        ["tls_handshake_timeout_secs"] = (c, v, _) => c with { TlsHandshakeTimeoutSecs = v.ReadNumber(0, minExclusive: true, MaxSeconds) },
        ["max_request_headers_bytes"] = (c, v, _) => c with { MaxRequestHeadersBytes = (int)v.ReadInteger(1024, 16 * 1024 * 1024) },
        ["max_connections"] = (c, v, _) => c with { MaxConnections = (int)v.ReadInteger(1, 1_000_000) },
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>An object of host name → IP address (the environment variable holds it as JSON).</summary>
    private static IReadOnlyDictionary<string, string> ReadResolve(SettingValue value)
    {
        if (value.IsNull)
        {
            return ClawSecConfig.NoResolve;
        }

        var json = value.ReadJson();
        if (json.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            throw value.Invalid("must be an object of host name to IP address");
        }

        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in json.EnumerateObject())
        {
            if (entry.Value.ValueKind != System.Text.Json.JsonValueKind.String
                || !System.Net.IPAddress.TryParse(entry.Value.GetString(), out _))
            {
                throw value.Problem($"{Messages.Quote(entry.Name)} must map to an IP address");
            }

            map[entry.Name] = entry.Value.GetString()!;
        }

        return map;
    }

    private static LogLevelSetting ReadLogLevel(SettingValue value) => value.ReadChoice(LogLevels) switch
    {
        "DEBUG" => LogLevelSetting.Debug,
        "INFO" => LogLevelSetting.Info,
        "ERROR" => LogLevelSetting.Error,
        _ => LogLevelSetting.Warning,
    };

    private static string ReadLogDir(SettingValue value, LoadContext context)
    {
        var dir = ExpandHome(value, value.ReadNonBlankString(), context);
        if (!Path.IsPathRooted(dir))
        {
            // stop and status find the running instance through log_dir, so a relative one only works
            // when every command runs from the same directory.
            context.Warnings.Add($"{value.Where}: {Messages.Quote(dir)} is relative to the working directory");
        }

        return dir;
    }

    private static string? ReadOptionalPath(SettingValue value, LoadContext context) =>
        value.ReadOptionalNonBlankString() is { } path ? ExpandHome(value, path, context) : null;

    /// <summary>Shells expand <c>~</c> but JSON files and quoted variables do not, so it is done here.</summary>
    private static string ExpandHome(SettingValue value, string path, LoadContext context)
    {
        if (!path.StartsWith('~'))
        {
            return path;
        }

        if (path.Length > 1 && path[1] != '/')
        {
            throw value.Invalid("only ~ and ~/… are expanded (not ~user)");
        }

        if (string.IsNullOrEmpty(context.Home))
        {
            throw value.Invalid("cannot expand ~ because HOME is not set");
        }

        return context.Home.TrimEnd('/') + path[1..];
    }

    private static string? ReadProxyAuth(SettingValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        // The value holds a password, so no message repeats it.
        var auth = value.ReadSecretString();
        int colon = auth.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw value.Problem("must be user:password (no colon found)");
        }

        if (colon == 0)
        {
            throw value.Problem("must be user:password (the user is empty)");
        }

        return auth;
    }
}
