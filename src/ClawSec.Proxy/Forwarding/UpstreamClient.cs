using System.Net;

namespace ClawSec.Proxy.Forwarding;

/// <summary>
/// The one pooled HTTP client every forwarded request goes out through. It never uses a proxy itself
/// (HTTP_PROXY in ClawSec's own environment would loop requests back through ClawSec), never follows
/// redirects, never decompresses and never adds tracing headers: the upstream sees what the agent sent.
/// </summary>
internal static class UpstreamClient
{
    public static HttpMessageInvoker Create(UpstreamConnector connector, UpstreamTrust trust) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        Proxy = null,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,

        // No propagator: no tracing headers added, and no diagnostics handler on every request's path.
        ActivityHeadersPropagator = null,
        ConnectCallback = connector.ConnectCallback,
        SslOptions = trust.ClientOptions(),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
    });
}
