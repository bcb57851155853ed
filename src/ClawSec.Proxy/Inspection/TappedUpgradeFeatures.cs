using ClawSec.Core.Detection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ClawSec.Proxy.Inspection;

/// <summary>
/// Wraps the server's upgrade features so the stream the forwarder gets after a 101 (HTTP/1.1 Upgrade) or an
/// accepted extended CONNECT (WebSockets over HTTP/2) is tapped in both directions.
/// </summary>
internal static class TappedUpgradeFeatures
{
    public static void Install(HttpContext context, TrafficInspector inspector, MessageContext message)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            context.Features.Set<IHttpUpgradeFeature>(new Upgrade(upgrade, context, inspector, message));
        }

        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            context.Features.Set<IHttpExtendedConnectFeature>(new ExtendedConnect(connect, context, inspector, message));
        }
    }

    private static Stream Tap(Stream stream, HttpContext context, TrafficInspector inspector, MessageContext message)
    {
        // Only the server's answer says which extensions were negotiated; it is set before the upgrade completes.
        var extensions = context.Response.Headers["Sec-WebSocket-Extensions"].ToString();
        return new TappedDuplexStream(stream,
            new WebSocketInspector(inspector, Direction.Outbound, message, extensions),
            new WebSocketInspector(inspector, Direction.Inbound, message, extensions));
    }

    private sealed class Upgrade(IHttpUpgradeFeature inner, HttpContext context, TrafficInspector inspector, MessageContext message) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => Tap(await inner.UpgradeAsync().ConfigureAwait(false), context, inspector, message);
    }

    private sealed class ExtendedConnect(IHttpExtendedConnectFeature inner, HttpContext context, TrafficInspector inspector, MessageContext message)
        : IHttpExtendedConnectFeature
    {
        public bool IsExtendedConnect => inner.IsExtendedConnect;

        public string? Protocol => inner.Protocol;

        public async ValueTask<Stream> AcceptAsync() => Tap(await inner.AcceptAsync().ConfigureAwait(false), context, inspector, message);
    }
}
