using System.Net;
using System.Text.RegularExpressions;
using ClawSec.Core.Detection;
using ClawSec.Proxy.Threats;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Ssh;

/// <summary>
/// Reports each new established outbound TCP connection to the SSH port as <c>SSH_CONNECT</c> /
/// <c>established_connection</c>, with the owning process where the OS lets us see it. Reads the kernel's TCP
/// tables directly every <c>ssh_poll_interval</c> seconds; a connection is reported once while it stays up, and
/// connections already up at start are reported at the first poll.
/// </summary>
internal sealed partial class SshWatcher : IAsyncDisposable
{
    public static readonly Rule EstablishedConnection = new()
    {
        Name = "established_connection",
        ThreatType = ThreatType.SshConnect,
        Severity = Severity.Medium,
        AppliesTo = Directions.Outbound,
        Description = "A new established outbound SSH connection.",
        // Not a content rule: the watcher reports connections, it scans no text.
        Regex = new Regex("(?!)", RegexOptions.CultureInvariant),
    };

    private readonly int _port;
    private readonly TimeSpan _interval;
    private readonly ThreatSink _sink;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<IReadOnlyList<TcpConnection>> _readTable;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<(IPEndPoint Local, IPEndPoint Remote)> _reported = [];
    private readonly Task _loop;

    public SshWatcher(int port, TimeSpan interval, ThreatSink sink, ILogger<SshWatcher> logger, TimeProvider time,
        Func<IReadOnlyList<TcpConnection>>? readTable = null)
    {
        _port = port;
        _interval = interval;
        _sink = sink;
        _logger = logger;
        _time = time;
        _readTable = readTable ?? ReadSystemTable;
        _loop = Task.Run(RunAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>One poll: reports what is new, forgets what is gone.</summary>
    internal async Task PollAsync()
    {
        var current = _readTable()
            .Where(c => c.State == TcpConnection.Established && c.Remote.Port == _port)
            .ToList();
        var keys = current.Select(c => (c.Local, c.Remote)).ToHashSet();
        _reported.IntersectWith(keys);
        var fresh = current.Where(c => !_reported.Contains((c.Local, c.Remote))).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        var owners = SocketOwners.Find(fresh.Select(c => c.Inode).Where(i => i != 0).ToHashSet());
        foreach (var connection in fresh)
        {
            _reported.Add((connection.Local, connection.Remote));
            owners.TryGetValue(connection.Inode, out var owner);
            var local = Format(connection.Local);
            var remote = Format(connection.Remote);
            var who = owner is null ? "owner not visible" : $"pid {owner.Pid}" + (owner.Executable is null ? "" : $" ({owner.Executable})");
            var finding = new Finding(EstablishedConnection, local + " -> " + remote, 0, $"established SSH connection {local} -> {remote}, {who}");
            await _sink.PublishAsync(new Detection(finding, Direction.Outbound, "ssh", local, remote, "ssh", _time.GetUtcNow(),
                owner?.Pid, owner?.Executable), _stopping.Token).ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        Log.Watching(_logger, _port, _interval.TotalSeconds);
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            try
            {
                await PollAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.PollFailed(_logger, ex);
            }
        }
        while (await WaitAsync(timer).ConfigureAwait(false));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static IReadOnlyList<TcpConnection> ReadSystemTable()
    {
        if (!File.Exists("/proc/net/tcp"))
        {
            return NetstatFallback.Read();
        }

        var rows = new List<TcpConnection>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            try
            {
                rows.AddRange(ProcNetTcp.Parse(File.ReadAllText(table)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // tcp6 is missing when IPv6 is off.
            }
        }

        return rows;
    }

    private static string Format(IPEndPoint endpoint) => endpoint.ToString();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SSH watcher: reporting new connections to port {Port} (every {Seconds} s)")]
        public static partial void Watching(ILogger logger, int port, double seconds);

        [LoggerMessage(2, LogLevel.Warning, "SSH watcher poll failed")]
        public static partial void PollFailed(ILogger logger, Exception exception);
    }
}
