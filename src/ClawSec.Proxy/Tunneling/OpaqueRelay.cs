using System.IO.Pipelines;
using System.Net.Sockets;

namespace ClawSec.Proxy.Tunneling;

/// <summary>Copies bytes both ways between a client connection and an upstream socket, half-closes included.</summary>
internal static class OpaqueRelay
{
    public static async Task RunAsync(IDuplexPipe client, Socket upstream, CancellationToken cancellationToken)
    {
        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: true);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var toUpstream = Pump(async () =>
        {
            await client.Input.CopyToAsync(upstreamStream, abort.Token).ConfigureAwait(false);
            upstream.Shutdown(SocketShutdown.Send);
        }, abort);
        var toClient = Pump(async () =>
        {
            await upstreamStream.CopyToAsync(client.Output, abort.Token).ConfigureAwait(false);
            await client.Output.CompleteAsync().ConfigureAwait(false);
        }, abort);
        await Task.WhenAll(toUpstream, toClient).ConfigureAwait(false);
    }

    /// <summary>Runs one direction; a failure ends the other direction too.</summary>
    private static async Task Pump(Func<Task> copy, CancellationTokenSource abort)
    {
        try
        {
            await copy().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            await abort.CancelAsync().ConfigureAwait(false);
        }
    }
}
