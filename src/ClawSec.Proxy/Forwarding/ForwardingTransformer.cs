using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace ClawSec.Proxy.Forwarding;

/// <summary>
/// Copies the request as YARP does by default (hop-by-hop headers dropped, Host from the destination) and also
/// drops every <c>Proxy-*</c> header: those are for us, never for the upstream.
/// </summary>
internal sealed class ForwardingTransformer : HttpTransformer
{
    public static ForwardingTransformer Instance { get; } = new();

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        foreach (var name in proxyRequest.Headers.Select(h => h.Key).Where(IsProxyHeader).ToList())
        {
            proxyRequest.Headers.Remove(name);
        }
    }

    private static bool IsProxyHeader(string name) => name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);
}
