using System.Globalization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ClawSec.Proxy.Forwarding;

/// <summary>
/// Has Kestrel decode the start of a chunked request body before the upstream is contacted. Kestrel checks chunk
/// framing only as the body is read, and the forwarder sends the request head upstream before it reads the body,
/// so without this a body whose first chunk is malformed would reach the upstream as a head followed by an abort.
/// The decoded bytes are left unconsumed in Kestrel's body pipe: the forwarder, and the taps on its reads, get them
/// as if nobody had looked, with no copy and no buffer of our own.
/// </summary>
internal static class ChunkedBodyReadAhead
{
    // Longer waits (the activity timeout may be set to a year) are left to the client: a timer cannot hold them.
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>
    /// True for a chunked (HTTP/1.1) request body. Not for a request that expects <c>100-continue</c>: reading its
    /// body makes Kestrel send the client <c>100 Continue</c> before the upstream has agreed to take the body. Nor
    /// for an upgrade, whose body is the upgraded stream.
    /// </summary>
    public static bool Applies(HttpContext context)
    {
        var request = context.Request;
        return request.Headers.TransferEncoding.Count > 0
            && !ExpectsContinue(request)
            && context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest != true;
    }

    /// <summary>
    /// Waits for the first decoded piece of the body (one read; a slow body is not waited for beyond it) and leaves
    /// it unread. Returns why the request must be refused instead: its framing is broken, the client left, or no body
    /// came within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<BodyRefusal?> ReadAsync(HttpContext context, TimeSpan timeout)
    {
        var aborted = context.RequestAborted;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        if (timeout < LongestTimer)
        {
            wait.CancelAfter(timeout);
        }

        var reader = context.Request.BodyReader;
        try
        {
            var result = await reader.ReadAsync(wait.Token).ConfigureAwait(false);

            // Nothing consumed, nothing examined: the next read returns these bytes again at once.
            reader.AdvanceTo(result.Buffer.Start);
            return null;
        }
        catch (BadHttpRequestException ex)
        {
            return new BodyRefusal(ex.StatusCode, "malformed request body: " + ex.Message);
        }
        catch (ConnectionResetException)
        {
            return new BodyRefusal(StatusCodes.Status400BadRequest, "the client reset the connection");
        }
        catch (IOException ex)
        {
            // Kestrel reports a chunk size that overflows as an IOException rather than a bad request.
            return new BodyRefusal(StatusCodes.Status400BadRequest, "malformed request body: " + ex.Message);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested && wait.IsCancellationRequested)
        {
            return new BodyRefusal(StatusCodes.Status408RequestTimeout,
                string.Create(CultureInfo.InvariantCulture, $"no request body within {timeout.TotalSeconds:0.#} s"));
        }
        catch (OperationCanceledException)
        {
            return new BodyRefusal(StatusCodes.Status400BadRequest, "the client aborted the request");
        }
    }

    private static bool ExpectsContinue(HttpRequest request)
    {
        foreach (var expectation in request.Headers.Expect)
        {
            if (expectation?.Contains("100-continue", StringComparison.OrdinalIgnoreCase) == true)
            {
                return true;
            }
        }

        return false;
    }
}
