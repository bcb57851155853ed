using System.Diagnostics;
using ClawSec.Core.Detection;
using ClawSec.Proxy.Inspection;
using ClawSec.Proxy.Tunneling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace ClawSec.Proxy.Forwarding;

/// <summary>
/// Handles one proxied request: finds the destination in the absolute-form target, scans the head before the
/// upstream is contacted, has the start of a chunked body decoded so broken framing is refused before anything is
/// sent upstream, taps both bodies, and forwards with YARP. When the upstream cannot be reached the
/// rest of the request body is still read and scanned before the client gets its 502, so an unreachable
/// upstream never hides a threat.
/// </summary>
internal sealed partial class ForwardProxyHandler
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;
    private readonly TrafficInspector _inspector;
    private readonly ILogger _logger;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly TimeSpan _activityTimeout;
    private readonly ProxyAuthenticator? _authenticator;
    private readonly UpstreamTrust _trust;

    public ForwardProxyHandler(IHttpForwarder forwarder, HttpMessageInvoker client, TrafficInspector inspector, ILogger<ForwardProxyHandler> logger,
        TimeSpan activityTimeout, ProxyAuthenticator? authenticator, UpstreamTrust trust)
    {
        _authenticator = authenticator;
        _trust = trust;
        _forwarder = forwarder;
        _client = client;
        _inspector = inspector;
        _logger = logger;
        _activityTimeout = activityTimeout;
        _requestConfig = new ForwarderRequestConfig { ActivityTimeout = activityTimeout };
    }

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestFeature = context.Features.Get<IHttpRequestFeature>()!;
        var rawTarget = requestFeature.RawTarget;
        var requestId = context.TraceIdentifier;

        var tunnel = context.Features.Get<TunnelFeature>();

        // Requests inside a CONNECT tunnel were authorised with the CONNECT.
        if (tunnel is null && _authenticator is not null && !_authenticator.IsAuthorized(context.Request))
        {
            await ProxyAuthenticator.ChallengeAsync(context).ConfigureAwait(false);
            return;
        }

        var extendedConnect = context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
        if (HttpMethods.IsConnect(context.Request.Method) && !extendedConnect)
        {
            await RejectAsync(context, StatusCodes.Status405MethodNotAllowed, "CONNECT is accepted only as the first request of a connection.").ConfigureAwait(false);
            return;
        }

        var target = tunnel is not null
            ? new RequestTarget(tunnel.Tls ? "https" : "http", tunnel.Host, tunnel.Port)
            : RequestTarget.FromAbsoluteForm(rawTarget);
        if (target is null)
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest,
                "ClawSec is a forward proxy: send requests in absolute form (set HTTP_PROXY/HTTPS_PROXY to this address).").ConfigureAwait(false);
            return;
        }

        if (tunnel is null && target.IsSelf(context.Connection.LocalIpAddress, context.Connection.LocalPort))
        {
            await RejectAsync(context, StatusCodes.Status508LoopDetected, "The request targets ClawSec itself.").ConfigureAwait(false);
            return;
        }

        var source = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var isWebSocket = extendedConnect
            ? string.Equals(context.Features.Get<IHttpExtendedConnectFeature>()!.Protocol, "websocket", StringComparison.OrdinalIgnoreCase)
            : context.Request.Headers.Upgrade.Any(u => string.Equals(u, "websocket", StringComparison.OrdinalIgnoreCase));
        var protocol = isWebSocket ? (target.Scheme == "https" ? "wss" : "ws") : target.Scheme;
        var message = new MessageContext(protocol, source, target.Dest, target.Host, requestId);
        var headers = context.Request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? "")));
        await _inspector.InspectRequestHeadAsync(context.Request.Method, rawTarget, headers, message, context.RequestAborted).ConfigureAwait(false);

        if (ChunkedBodyReadAhead.Applies(context)
            && await ChunkedBodyReadAhead.ReadAsync(context, _activityTimeout).ConfigureAwait(false) is { } refusal)
        {
            Log.Refused(_logger, requestId, context.Request.Method, target.Dest, refusal.StatusCode, refusal.Reason);
            if (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                await RejectAsync(context, refusal.StatusCode, refusal.Reason).ConfigureAwait(false);
            }
            else
            {
                context.Abort();
            }

            return;
        }

        var requestBody = new TappedReadStream(context.Request.Body, new BodyTap(_inspector, Direction.Outbound, message,
            () => (context.Request.ContentType, context.Request.Headers.ContentEncoding.ToString())));
        context.Request.Body = requestBody;
        var responseBody = new TappedWriteStream(context.Response.Body, new BodyTap(_inspector, Direction.Inbound, message,
            () => (context.Response.ContentType, context.Response.Headers.ContentEncoding.ToString())));
        context.Response.Body = responseBody;
        if (isWebSocket || context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true)
        {
            TappedUpgradeFeatures.Install(context, _inspector, message);
        }

        var error = await _forwarder.SendAsync(context, target.DestinationPrefix, _client, _requestConfig, ForwardingTransformer.Instance).ConfigureAwait(false);
        if (error != ForwarderError.None)
        {
            await HandleErrorAsync(context, error, requestBody, message).ConfigureAwait(false);
        }
        else
        {
            await requestBody.Tap.CompleteAsync().ConfigureAwait(false);
        }

        await responseBody.Tap.CompleteAsync().ConfigureAwait(false);

        Log.Forwarded(_logger, requestId, context.Request.Method, target.Dest, context.Response.StatusCode,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task HandleErrorAsync(HttpContext context, ForwarderError error, TappedReadStream requestBody, MessageContext message)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var reason = Describe(error, exception);
        if (exception is HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException }
            && _trust.FailureFor(message.Host) is string tlsReason)
        {
            reason = "upstream TLS certificate rejected: " + tlsReason;
        }

        Log.ForwardFailed(_logger, message.RequestId, message.Dest, error, reason);

        if (error is ForwarderError.Request or ForwarderError.RequestCreation or ForwarderError.RequestTimedOut
            && !context.RequestAborted.IsCancellationRequested)
        {
            using var drain = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            drain.CancelAfter(DrainTimeout);
            try
            {
                await requestBody.DrainForScanAsync(drain.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
            {
                // The client went away or stalled; what arrived was scanned.
            }
        }

        await requestBody.Tap.CompleteAsync().ConfigureAwait(false);
        if (!context.Response.HasStarted)
        {
            if (context.Response.StatusCode < 400)
            {
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
            }

            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"ClawSec: cannot forward to {message.Dest}: {reason}\n").ConfigureAwait(false);
        }
    }

    private static string Describe(ForwarderError error, Exception? exception)
    {
        var inner = exception;
        while (inner?.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        var what = error switch
        {
            ForwarderError.Request => "upstream unreachable",
            ForwarderError.RequestTimedOut => "upstream timed out",
            ForwarderError.RequestCanceled => "request cancelled",
            ForwarderError.RequestBodyClient or ForwarderError.RequestBodyCanceled => "client stopped sending the body",
            ForwarderError.ResponseBodyDestination => "upstream broke off the response",
            _ => error.ToString(),
        };
        return inner is null ? what : what + " (" + inner.Message + ")";
    }

    private static Task RejectAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.Connection = "close";
        return context.Response.WriteAsync("ClawSec: " + text + "\n");
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "[{RequestId}] {Method} {Dest} -> {Status} in {Milliseconds:0.0} ms")]
        public static partial void Forwarded(ILogger logger, string requestId, string method, string dest, int status, double milliseconds);

        [LoggerMessage(2, LogLevel.Warning, "[{RequestId}] Forwarding to {Dest} failed: {Error}: {Reason}")]
        public static partial void ForwardFailed(ILogger logger, string requestId, string dest, ForwarderError error, string reason);

        [LoggerMessage(3, LogLevel.Information, "[{RequestId}] {Method} {Dest} refused before forwarding: {Status}: {Reason}")]
        public static partial void Refused(ILogger logger, string requestId, string method, string dest, int status, string reason);
    }
}
