using Microsoft.Extensions.Hosting;

namespace ClawSec.Proxy.Hosting;

/// <summary>
/// A host lifetime that leaves SIGTERM/SIGINT to the caller: the <c>clawsec start</c> command owns shutdown
/// (drain, PID file) and must be the only one acting on signals.
/// </summary>
internal sealed class NoSignalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
