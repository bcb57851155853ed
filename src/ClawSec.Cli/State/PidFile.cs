using System.Globalization;

namespace ClawSec.Cli.State;

/// <summary><c>monitor.pid</c>: the decimal PID of the running monitor and nothing else.</summary>
internal static class PidFile
{
    public const string FileName = "monitor.pid";

    public static string PathIn(string logDir) => Path.Combine(logDir, FileName);

    public static int? Read(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The PID of a live ClawSec named by the file, or null (no file, stale, or a recycled PID).</summary>
    public static int? ReadRunning(string logDir)
    {
        var pid = Read(PathIn(logDir));
        return pid is int p && UnixProcesses.IsAlive(p) && UnixProcesses.IsClawSec(p) ? p : null;
    }

    /// <summary>Creates the file exclusively (fails if it exists), so two starts cannot both write it.</summary>
    public static void CreateExclusive(string path, int pid)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        });
        stream.Write(System.Text.Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Removes the file if it still names <paramref name="pid"/>.</summary>
    public static void RemoveIfOwn(string path, int pid)
    {
        if (Read(path) == pid)
        {
            File.Delete(path);
        }
    }
}
