using ClawSec.Core.Detection;
using ClawSec.Proxy.Threats;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Inspection;

/// <summary>
/// Runs the scanner over what the proxy sees and publishes what it finds to the threat sink. A scan that fails
/// is logged and skipped: inspection never breaks the traffic it watches.
/// </summary>
internal sealed partial class TrafficInspector
{
    private static readonly string[] CredentialHeaders = ["authorization", "x-api-key", "api-key", "x-goog-api-key"];

    private readonly Scanner _scanner;
    private readonly ThreatSink _sink;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _maxScanBytes;
    private readonly bool _reportKeysToOwnProvider;

    public TrafficInspector(Scanner scanner, ThreatSink sink, ILogger<TrafficInspector> logger, InspectionSettings settings, TimeProvider time)
    {
        _scanner = scanner;
        _sink = sink;
        _logger = logger;
        _time = time;
        _maxScanBytes = settings.MaxScanBytes;
        _reportKeysToOwnProvider = settings.ReportKeysToOwnProvider;
    }

    public bool ScansContent => _maxScanBytes > 0;

    /// <summary>The per-message budget of decoded bytes (<c>max_scan_bytes</c>).</summary>
    public long MaxScanBytes => _maxScanBytes;

    /// <summary>Scans a request's target (raw and percent-decoded) and its header lines.</summary>
    public async ValueTask InspectRequestHeadAsync(
        string method, string rawTarget, IEnumerable<KeyValuePair<string, string>> headers, MessageContext message, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        try
        {
            var requestLine = method + " " + rawTarget;
            findings.AddRange(_scanner.ScanText(requestLine, Direction.Outbound));
            if (rawTarget.Contains('%', StringComparison.Ordinal))
            {
                // The decoded target finds what percent-encoding hid; a rule that already fired on the raw
                // target would only report the same thing twice in another spelling.
                var decoded = Uri.UnescapeDataString(rawTarget.Replace('+', ' '));
                if (decoded != rawTarget)
                {
                    var fired = findings.Select(f => f.Rule).ToHashSet();
                    findings.AddRange(_scanner.ScanText(method + " " + decoded, Direction.Outbound).Where(f => !fired.Contains(f.Rule)));
                }
            }

            foreach (var (name, value) in headers)
            {
                foreach (var finding in _scanner.ScanText(name + ": " + value, Direction.Outbound))
                {
                    if (!IsOwnProviderKey(name, finding, message.Host))
                    {
                        findings.Add(finding);
                    }
                }
            }
        }
        catch (Exception ex)
        {
            Log.ScanFailed(_logger, message.RequestId, ex);
        }

        await PublishAsync(findings, Direction.Outbound, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Findings in one line of a head (request line, status line or header), or none when scanning fails.</summary>
    public IReadOnlyList<Finding> ScanLine(string line, Direction direction)
    {
        try
        {
            return _scanner.ScanText(line, direction);
        }
        catch (Exception ex)
        {
            Log.ScanFailed(_logger, "-", ex);
            return [];
        }
    }

    /// <summary>
    /// A scanner for one body's decoded text, or null when content scanning is off. Unbounded: the body decoder
    /// already stops at <c>max_scan_bytes</c> of decoded body.
    /// </summary>
    public StreamScanner? CreateBodyScanner(Direction direction) =>
        _maxScanBytes > 0 ? _scanner.CreateStream(direction, long.MaxValue) : null;

    /// <summary>A scanner for one message's raw payload (a WebSocket message), bounded by <c>max_scan_bytes</c>.</summary>
    public StreamScanner? CreateMessageScanner(Direction direction) =>
        _maxScanBytes > 0 ? _scanner.CreateStream(direction, _maxScanBytes) : null;

    public async ValueTask PublishAsync(IReadOnlyList<Finding> findings, Direction direction, MessageContext message, CancellationToken cancellationToken)
    {
        if (findings.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var finding in findings)
        {
            await _sink.PublishAsync(
                new Detection(finding, direction, message.Protocol, message.Source, message.Dest, message.RequestId, now),
                CancellationToken.None).ConfigureAwait(false);
        }

        _ = cancellationToken;
    }

    internal void ReportScanFailure(string requestId, Exception exception) => Log.ScanFailed(_logger, requestId, exception);

    internal void ReportDecodeFailure(string requestId, string what, string reason) => Log.DecodeFailed(_logger, requestId, what, reason);

    private bool IsOwnProviderKey(string headerName, Finding finding, string host) =>
        !_reportKeysToOwnProvider
        && finding.Rule.IsSecret
        && CredentialHeaders.Contains(headerName, StringComparer.OrdinalIgnoreCase)
        && ProviderKeys.IsKeyForHost(finding.Value, host);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "[{RequestId}] Scanning failed; the traffic passes unscanned from here")]
        public static partial void ScanFailed(ILogger logger, string requestId, Exception exception);

        [LoggerMessage(2, LogLevel.Information, "[{RequestId}] {What} could not be decoded ({Reason}); the traffic passes uninspected from here")]
        public static partial void DecodeFailed(ILogger logger, string requestId, string what, string reason);
    }
}

/// <summary>The settings inspection needs from the configuration.</summary>
internal sealed record InspectionSettings(long MaxScanBytes, bool ReportKeysToOwnProvider);
