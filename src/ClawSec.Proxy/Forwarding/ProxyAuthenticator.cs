using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ClawSec.Proxy.Forwarding;

/// <summary>
/// Checks <c>Proxy-Authorization: Basic …</c> against <c>proxy_auth</c> (<c>user:password</c>) in constant time.
/// Required when the proxy listens beyond loopback, so that nobody else on the network can use it.
/// </summary>
internal sealed class ProxyAuthenticator(string userColonPassword)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(userColonPassword)));

    public bool IsAuthorized(HttpRequest request) => IsAuthorized(request.Headers["Proxy-Authorization"].ToString());

    public bool IsAuthorized(string? proxyAuthorization) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(proxyAuthorization ?? ""), _expected);

    public static Task ChallengeAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status407ProxyAuthenticationRequired;
        context.Response.Headers["Proxy-Authenticate"] = "Basic realm=\"ClawSec\"";
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("ClawSec: proxy authentication required\n");
    }
}
