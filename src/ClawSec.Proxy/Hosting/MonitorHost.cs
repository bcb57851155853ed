using System.Net;
using System.Net.Sockets;
using ClawSec.Core.Configuration;
using ClawSec.Core.Detection;
using ClawSec.Proxy.Certificates;
using ClawSec.Proxy.Forwarding;
using ClawSec.Proxy.Gateway;
using ClawSec.Proxy.Ssh;
using ClawSec.Proxy.Inspection;
using ClawSec.Proxy.Logging;
using ClawSec.Proxy.Threats;
using ClawSec.Proxy.Tunneling;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace ClawSec.Proxy.Hosting;

/// <summary>
/// The running monitor: text log, CA, threat sink, and the proxy listener, started together and stopped in
/// the order that loses nothing (stop accepting, let requests finish, drain the threat log).
/// </summary>
public sealed partial class MonitorHost : IAsyncDisposable
{
    public const string ThreatLogFileName = "threats.jsonl";
    public const string TextLogFileName = "clawsec.log";

    private static (ClawSecConfig Config, RulePack Pack, IReadOnlyList<string> Notes)? s_lastPack;

    private readonly WebApplication? _app;
    private readonly GatewayRelay? _gateway;
    private readonly SshWatcher? _ssh;
    private readonly ThreatSink _sink;
    private readonly ClawSecLoggerProvider _logging;
    private readonly CertificateAuthority _ca;
    private readonly HttpMessageInvoker _client;
    private readonly ILogger _logger;
    private bool _stopped;
    private IdleMemoryTrimmer? _trimmer;

    /// <summary>How long the proxy is without connections before memory is given back.</summary>
    private static readonly TimeSpan IdleTrimAfter = TimeSpan.FromSeconds(2);

    private MonitorHost(WebApplication? app, GatewayRelay? gateway, SshWatcher? ssh, ThreatSink sink, ClawSecLoggerProvider logging, CertificateAuthority ca,
        HttpMessageInvoker client, ILogger logger, IReadOnlyList<string> listen)
    {
        _app = app;
        _gateway = gateway;
        _ssh = ssh;
        _sink = sink;
        _logging = logging;
        _ca = ca;
        _client = client;
        _logger = logger;
        ListenAddresses = listen;
    }

    /// <summary>The addresses the proxy listens on, as <c>ip:port</c>.</summary>
    public IReadOnlyList<string> ListenAddresses { get; }

    /// <summary>True when this start created a new CA.</summary>
    public bool CaCreated => _ca.Created;

    /// <summary>
    /// The settings that would make the monitor unsafe or unable to start, as a one-line message; null when fine.
    /// Listening beyond loopback needs <c>proxy_auth</c> or an explicit <c>allow_unauthenticated_remote</c>.
    /// </summary>
    public static string? Validate(ClawSecConfig config)
    {
        try
        {
            UpstreamTrust.LoadBundle(config.UpstreamCaFile);
            BuildRulePack(config);
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }

        if (!config.EnableHttpProxy)
        {
            return null;
        }

        IReadOnlyList<IPAddress> addresses;
        try
        {
            addresses = ListenEndpoints.Resolve(config.ProxyHost);
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }

        return ListenEndpoints.IsLoopbackOnly(addresses) || config.ProxyAuth is not null || config.AllowUnauthenticatedRemote
            ? null
            : $"proxy_host {config.ProxyHost} is reachable from other machines: set proxy_auth (\"user:password\") or, deliberately, allow_unauthenticated_remote: true";
    }

    /// <summary>Starts everything; throws <see cref="MonitorStartException"/> with a one-line reason on failure.</summary>
    public static async Task<MonitorHost> StartAsync(ClawSecConfig config, TextWriter? stderr, CancellationToken cancellationToken = default)
    {
        var (pack, notes) = BuildRulePack(config);
        var scanner = new Scanner(pack);

        // Compiling the regexes tried near keywords takes a few hundred milliseconds; not on the first request.
        _ = Task.Run(scanner.Prepare);
        var logging = new ClawSecLoggerProvider(
            scanner, new RotatingFileWriter(Path.Combine(config.LogDir, TextLogFileName)), stderr, ToLogLevel(config.LogLevel));
        var loggerFactory = LoggerFactory.Create(b => b.ClearProviders().AddProvider(logging).SetMinimumLevel(ToLogLevel(config.LogLevel)));
        var logger = loggerFactory.CreateLogger("ClawSec");
        foreach (var note in notes)
        {
            Log.RuleNote(logger, note);
        }

        var ca = CertificateAuthority.LoadOrCreate(config.LogDir, loggerFactory.CreateLogger<CertificateAuthority>());
        try
        {
            TrustBundle.Write(config.LogDir, ca.Certificate.ExportCertificatePem() + "\n", logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.BundleFailed(logger, ex.Message);
        }
        var sink = new ThreatSink(Path.Combine(config.LogDir, ThreatLogFileName), TimeSpan.FromSeconds(config.DedupWindowSecs),
            loggerFactory.CreateLogger<ThreatSink>());
        X509Certificate2Collection extraRoots;
        try
        {
            extraRoots = UpstreamTrust.LoadBundle(config.UpstreamCaFile);
        }
        catch (InvalidOperationException ex)
        {
            await sink.DisposeAsync().ConfigureAwait(false);
            throw new MonitorStartException(ex.Message);
        }

        var connector = new UpstreamConnector(
            config.Resolve.ToDictionary(e => e.Key, e => IPAddress.Parse(e.Value), StringComparer.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(config.UpstreamConnectTimeoutSecs));
        var trust = new UpstreamTrust(extraRoots, loggerFactory.CreateLogger<UpstreamTrust>());
        var client = UpstreamClient.Create(connector, trust);
        var leaves = new LeafCertificateCache(ca.Certificate);

        var inspector = new TrafficInspector(scanner, sink, loggerFactory.CreateLogger<TrafficInspector>(),
            new InspectionSettings(config.MaxScanBytes, config.ReportKeysToOwnProvider), TimeProvider.System);
        WebApplication? app = null;
        GatewayRelay? gateway = null;
        IdleMemoryTrimmer? trimmer = null;
        var listen = new List<string>();
        if (config.EnableHttpProxy)
        {
            IReadOnlyList<IPAddress> addresses;
            try
            {
                addresses = ListenEndpoints.Resolve(config.ProxyHost);
            }
            catch (ArgumentException ex)
            {
                throw new MonitorStartException(ex.Message);
            }

            trimmer = new IdleMemoryTrimmer(TimeProvider.System, IdleTrimAfter, () => System.Runtime.JitInfo.GetCompiledMethodCount());
            app = BuildProxy(config, addresses, logging, inspector, client, trust,
                next =>
                {
                    ConnectionDelegate connect = new ConnectMiddleware(next, connector, leaves, Authenticator(config), config.EnableMitm,
                        TimeSpan.FromSeconds(config.TlsHandshakeTimeoutSecs),
                        loggerFactory.CreateLogger<ConnectMiddleware>()).OnConnectionAsync;
                    return connection => trimmer.TrackAsync(connect, connection);
                });
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
                throw new MonitorStartException($"cannot listen on {config.ProxyHost}:{config.ProxyPort}: {Unwrap(ex).Message}");
            }

            if (config.EnableMitm)
            {
                // Off the start path: the first intercepted HTTPS request then finds the system trust store loaded.
                _ = Task.Run(() => PreloadTrustStore(ca.Certificate, logger));
            }

            listen.AddRange(addresses.Select(a => ListenEndpoints.Format(a, config.ProxyPort)));
            if (!ListenEndpoints.IsLoopbackOnly(addresses) && config.ProxyAuth is null)
            {
                Log.OpenToNetwork(logger, config.ProxyHost);
            }
        }

        if (config.EnableGatewayProxy)
        {
            try
            {
                gateway = GatewayRelay.Start(config.GatewayLocalPort, config.GatewayTargetPort, inspector, loggerFactory.CreateLogger<GatewayRelay>());
            }
            catch (SocketException ex)
            {
                if (app is not null)
                {
                    await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await sink.DisposeAsync().ConfigureAwait(false);
                throw new MonitorStartException($"cannot listen on the gateway port 127.0.0.1:{config.GatewayLocalPort}: {ex.Message} (set gateway_local_port, or enable_gateway_proxy: false)");
            }
        }

        var ssh = config.EnableSshWatcher
            ? new SshWatcher(config.SshPort, TimeSpan.FromSeconds(config.SshPollInterval), sink, loggerFactory.CreateLogger<SshWatcher>(), TimeProvider.System)
            : null;
        var host = new MonitorHost(app, gateway, ssh, sink, logging, ca, client, logger, listen) { _trimmer = trimmer };
        Log.Started(logger, string.Join(", ", listen), config.EnableMitm ? "ON" : "OFF", config.LogDir);
        return host;
    }

    /// <summary>Stops accepting, gives in-flight requests <paramref name="grace"/> to finish, drains the threat log.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _trimmer?.Dispose();
        if (_ssh is not null)
        {
            await _ssh.DisposeAsync().ConfigureAwait(false);
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync().ConfigureAwait(false);
        }

        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(grace);
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await _sink.DrainAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.DrainTimedOut(_logger);
        }

        Log.Stopped(_logger, _sink.Written);
        _client.Dispose();
        _ca.Dispose();
        _logging.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);

    /// <summary>
    /// The built-in rules, then the configured user rules, then an imported gitleaks file. A user rule that cannot
    /// be used is an error naming it; gitleaks rules that cannot be used are listed in the notes, by id with the reason.
    /// </summary>
    private static (RulePack Pack, IReadOnlyList<string> Notes) BuildRulePack(ClawSecConfig config)
    {
        // Validation and start-up build the same pack; an imported gitleaks file is worth building once.
        if (s_lastPack is { } last && ReferenceEquals(last.Config, config))
        {
            return (last.Pack, last.Notes);
        }

        var built = BuildRulePackUncached(config);
        s_lastPack = (config, built.Pack, built.Notes);
        return built;
    }

    private static (RulePack Pack, IReadOnlyList<string> Notes) BuildRulePackUncached(ClawSecConfig config)
    {
        var rules = new List<Rule>(RulePack.Default.Rules);
        var notes = new List<string>();
        try
        {
            rules.AddRange(UserRuleCompiler.Compile(config.Rules));
        }
        catch (InvalidRuleException ex)
        {
            throw new InvalidOperationException("rules: " + ex.Message, ex);
        }

        if (config.GitleaksConfig is { } path)
        {
            GitleaksImport import;
            try
            {
                import = GitleaksImporter.Load(File.ReadAllText(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidOperationException($"gitleaks_config {path}: {ex.Message}", ex);
            }

            rules.AddRange(import.Rules);
            notes.Add($"gitleaks_config {path}: {import.Rules.Count} rule(s) imported, {import.Skipped.Count} skipped");
            notes.AddRange(import.Skipped.Select(n => $"gitleaks rule {n.Id} skipped: {n.Reason}"));
        }

        return (new RulePack(rules), notes);
    }

    private static ProxyAuthenticator? Authenticator(ClawSecConfig config) =>
        config.ProxyAuth is null ? null : new ProxyAuthenticator(config.ProxyAuth);

    private static WebApplication BuildProxy(ClawSecConfig config, IReadOnlyList<IPAddress> addresses, ClawSecLoggerProvider logging,
        TrafficInspector inspector, HttpMessageInvoker client, UpstreamTrust trust, Func<ConnectionDelegate, ConnectionDelegate> connect)
    {
        // The empty builder: no configuration files to watch, no console logging, routing or QUIC to load. Each
        // assembly loaded stays mapped, and resident, for the life of the process.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "ClawSec", Args = [] });
        builder.Logging.AddProvider(logging);
        builder.Logging.SetMinimumLevel(ToLogLevel(config.LogLevel));
        // Framework request logs name URLs and headers; they add nothing to ours below Warning.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Error);
        // Hosting logs each request's start and end below Warning only, but while its logger is enabled at all it
        // makes an Activity and a log scope for every request.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(inspector);
        builder.Services.AddSingleton(sp => new ForwardProxyHandler(
            sp.GetRequiredService<IHttpForwarder>(), client, sp.GetRequiredService<TrafficInspector>(),
            sp.GetRequiredService<ILogger<ForwardProxyHandler>>(), TimeSpan.FromSeconds(config.UpstreamActivityTimeoutSecs),
            Authenticator(config), trust));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.AllowHostHeaderOverride = true;
            // Sized for LLM traffic: uploads of any size, slow streams, long quiet model calls.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(config.ClientIdleTimeoutSecs);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(config.RequestHeadersTimeoutSecs);
            kestrel.Limits.MaxRequestHeadersTotalSize = config.MaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestLineSize = Math.Min(config.MaxRequestHeadersBytes, 64 * 1024);
            kestrel.Limits.MaxConcurrentConnections = config.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = config.MaxConnections;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            foreach (var address in addresses)
            {
                kestrel.Listen(address, config.ProxyPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.Use(connect);
                });
            }
        });

        var app = builder.Build();
        var handler = app.Services.GetRequiredService<ForwardProxyHandler>();
        app.Run(handler.HandleAsync);
        return app;
    }

    private static void PreloadTrustStore(X509Certificate2 certificate, ILogger logger)
    {
        try
        {
            UpstreamTrust.PreloadSystemStore(certificate);
        }
        catch (Exception ex)
        {
            // Nothing is lost: the first handshake loads the store itself and reports what goes wrong there.
            Log.PreloadFailed(logger, ex.Message);
        }
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex.InnerException is not null && ex is not SocketException)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static LogLevel ToLogLevel(LogLevelSetting level) => level switch
    {
        LogLevelSetting.Debug => LogLevel.Debug,
        LogLevelSetting.Info => LogLevel.Information,
        LogLevelSetting.Warning => LogLevel.Warning,
        _ => LogLevel.Error,
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "ClawSec listening on {Listen}, MITM {Mitm}, log_dir {LogDir}")]
        public static partial void Started(ILogger logger, string listen, string mitm, string logDir);

        [LoggerMessage(2, LogLevel.Information, "ClawSec stopped; {Count} threat record(s) written this run")]
        public static partial void Stopped(ILogger logger, long count);

        [LoggerMessage(4, LogLevel.Warning,
            "Listening on {Host} WITHOUT authentication (allow_unauthenticated_remote): anyone who can reach this port can use the proxy")]
        public static partial void OpenToNetwork(ILogger logger, string host);

        [LoggerMessage(5, LogLevel.Warning, "Could not write ca-bundle.pem: {Reason}")]
        public static partial void BundleFailed(ILogger logger, string reason);

        [LoggerMessage(6, LogLevel.Information, "{Note}")]
        public static partial void RuleNote(ILogger logger, string note);

        [LoggerMessage(7, LogLevel.Debug, "Loading the system trust store ahead of the first upstream handshake failed: {Reason}")]
        public static partial void PreloadFailed(ILogger logger, string reason);

        [LoggerMessage(3, LogLevel.Error, "The threat log did not drain within 5 s at shutdown")]
        public static partial void DrainTimedOut(ILogger logger);
    }
}

/// <summary>The monitor could not start; the message is one line for the user.</summary>
public sealed class MonitorStartException(string message) : Exception(message);
