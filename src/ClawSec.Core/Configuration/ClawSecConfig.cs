namespace ClawSec.Core.Configuration;

/// <summary>
/// The monitor's settings, with the defaults of PRODUCT.md. Built by <see cref="ConfigLoader"/> from
/// defaults, then a JSON file, then <c>CLAWSEC_&lt;KEY&gt;</c> environment variables.
/// </summary>
public sealed record ClawSecConfig
{
    public const long DefaultMaxScanBytes = 16 * 1024 * 1024;

    /// <summary>The shared empty <see cref="Resolve"/>, so that configurations compare equal by value.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoResolve = new Dictionary<string, string>();

    public string ProxyHost { get; init; } = "127.0.0.1";
    public int ProxyPort { get; init; } = 8888;
    public string LogDir { get; init; } = "/tmp/clawsec";
    public LogLevelSetting LogLevel { get; init; } = LogLevelSetting.Info;
    public long MaxScanBytes { get; init; } = DefaultMaxScanBytes;
    public bool EnableMitm { get; init; } = true;
    public double DedupWindowSecs { get; init; } = 60;
    public bool EnableHttpProxy { get; init; } = true;
    public bool EnableGatewayProxy { get; init; } = true;
    public int GatewayLocalPort { get; init; } = 18790;
    public int GatewayTargetPort { get; init; } = 18789;
    public bool EnableSshWatcher { get; init; } = true;
    public double SshPollInterval { get; init; } = 10;

    /// <summary>The remote port the SSH watcher reports connections to.</summary>
    public int SshPort { get; init; } = 22;
    public string? UpstreamCaFile { get; init; }
    public string? ProxyAuth { get; init; }
    public bool AllowUnauthenticatedRemote { get; init; }
    public IReadOnlyList<UserRuleConfig> Rules { get; init; } = [];
    public string? GitleaksConfig { get; init; }
    public bool ReportKeysToOwnProvider { get; init; }

    /// <summary>Host names mapped to fixed addresses for upstream connections, like curl's <c>--resolve</c>.</summary>
    public IReadOnlyDictionary<string, string> Resolve { get; init; } = NoResolve;

    public double UpstreamConnectTimeoutSecs { get; init; } = 15;

    /// <summary>An upstream exchange with no bytes either way for this long is ended with 504 (or an abort once streaming).</summary>
    public double UpstreamActivityTimeoutSecs { get; init; } = 3600;

    /// <summary>A client connection idle between requests for this long is closed.</summary>
    public double ClientIdleTimeoutSecs { get; init; } = 120;

    public double RequestHeadersTimeoutSecs { get; init; } = 30;

    /// <summary>A client's TLS handshake inside a CONNECT tunnel must complete within this time.</summary>
    public double TlsHandshakeTimeoutSecs { get; init; } = 10;

    public int MaxRequestHeadersBytes { get; init; } = 64 * 1024;

    public int MaxConnections { get; init; } = 10_000;

    /// <summary>The file the settings came from, if any (for messages).</summary>
    public string? SourcePath { get; init; }
}

public enum LogLevelSetting
{
    Debug,
    Info,
    Warning,
    Error,
}

/// <summary>A user rule from the <c>rules</c> key; compiled into a detection rule by the rule loader.</summary>
public sealed record UserRuleConfig
{
    public required string Name { get; init; }
    public required string Regex { get; init; }
    public string ThreatType { get; init; } = "EXFIL";
    public string Direction { get; init; } = "both";
    public string Severity { get; init; } = "high";
    public string Description { get; init; } = "";
    public IReadOnlyList<string> Keywords { get; init; } = [];
    public double? Entropy { get; init; }
    public IReadOnlyList<string> Allowlist { get; init; } = [];
}
