namespace ClawSec.Cli.State;

/// <summary>
/// Makes <c>log_dir</c> safe to keep the CA key and the threat log in: created 0700; an existing one of ours
/// with looser permissions is tightened (with a warning); a symlink or a directory owned by someone else is refused.
/// </summary>
internal static class LogDirectory
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Returns warnings to print; throws <see cref="StateException"/> when the directory must not be used.</summary>
    public static IReadOnlyList<string> Prepare(string path)
    {
        var warnings = new List<string>();
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null || (File.Exists(path) && new FileInfo(path).LinkTarget is not null))
        {
            throw new StateException($"log_dir {path} is a symbolic link; refusing to use it (point log_dir at the real directory)");
        }

        if (File.Exists(path))
        {
            throw new StateException($"log_dir {path} is a file, not a directory");
        }

        if (!info.Exists)
        {
            try
            {
                Directory.CreateDirectory(path, Private);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StateException($"cannot create log_dir {path}: {ex.Message}");
            }

            return warnings;
        }

        var owner = UnixFiles.OwnerOf(path);
        if (owner is not null && owner != UnixFiles.CurrentUid())
        {
            throw new StateException($"log_dir {path} is owned by another user (uid {owner}); refusing to use it");
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & ~Private) != 0)
        {
            File.SetUnixFileMode(path, Private);
            warnings.Add($"log_dir {path} was readable by others (mode {Convert.ToString((int)mode, 8)}); tightened to 700");
        }

        return warnings;
    }
}

/// <summary>A problem with the state files or directory; the message is one line for the user.</summary>
internal sealed class StateException(string message) : Exception(message);
