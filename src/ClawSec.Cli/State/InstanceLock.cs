namespace ClawSec.Cli.State;

/// <summary>
/// One monitor per <c>log_dir</c>. An exclusive lock on <c>monitor.lock</c> (released by the kernel when the
/// process dies, however it dies) decides which of two simultaneous starts wins; the winner then replaces a
/// stale PID file and creates a new one exclusively. Cheap: taken before any heavy start-up work.
/// </summary>
internal sealed class InstanceLock : IDisposable
{
    public const string FileName = "monitor.lock";

    private readonly FileStream _lock;
    private readonly string _pidPath;
    private readonly int _pid;

    private InstanceLock(FileStream @lock, string pidPath, int pid, bool replacedStale)
    {
        _lock = @lock;
        _pidPath = pidPath;
        _pid = pid;
        ReplacedStale = replacedStale;
    }

    /// <summary>True when a PID file of a dead process (or a recycled PID) was replaced.</summary>
    public bool ReplacedStale { get; }

    /// <summary>Takes the lock and writes the PID file, or returns null with the PID of the running instance (if known).</summary>
    public static InstanceLock? TryAcquire(string logDir, out int? runningPid)
    {
        runningPid = null;
        var pidPath = PidFile.PathIn(logDir);
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(logDir, FileName), new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException)
        {
            runningPid = PidFile.Read(pidPath);
            return null;
        }

        var self = Environment.ProcessId;
        var replaced = false;
        if (File.Exists(pidPath))
        {
            if (PidFile.ReadRunning(logDir) is int other && other != self)
            {
                stream.Dispose();
                runningPid = other;
                return null;
            }

            File.Delete(pidPath);
            replaced = true;
        }

        try
        {
            PidFile.CreateExclusive(pidPath, self);
        }
        catch (IOException)
        {
            stream.Dispose();
            runningPid = PidFile.Read(pidPath);
            return null;
        }

        return new InstanceLock(stream, pidPath, self, replaced);
    }

    public void Dispose()
    {
        try
        {
            PidFile.RemoveIfOwn(_pidPath, _pid);
        }
        finally
        {
            _lock.Dispose();
        }
    }
}
