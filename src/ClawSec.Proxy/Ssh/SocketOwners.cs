using System.Globalization;

namespace ClawSec.Proxy.Ssh;

/// <summary>The process that owns a socket, from the <c>socket:[inode]</c> links under <c>/proc/*/fd</c>.</summary>
internal sealed record SocketOwner(int Pid, string? Executable);

internal static class SocketOwners
{
    /// <summary>Finds the owners of the given socket inodes; processes we may not look into are skipped.</summary>
    public static Dictionary<long, SocketOwner> Find(IReadOnlySet<long> inodes, string procRoot = "/proc")
    {
        var owners = new Dictionary<long, SocketOwner>();
        if (inodes.Count == 0)
        {
            return owners;
        }

        foreach (var dir in SafeEnumerate(procRoot))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            foreach (var fd in SafeEnumerate(Path.Combine(dir, "fd")))
            {
                var target = SafeLinkTarget(fd);
                if (target is null || !target.StartsWith("socket:[", StringComparison.Ordinal)
                    || !long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                    || !inodes.Contains(inode) || owners.ContainsKey(inode))
                {
                    continue;
                }

                owners[inode] = new SocketOwner(pid, SafeLinkTarget(Path.Combine(dir, "exe")));
                if (owners.Count == inodes.Count)
                {
                    return owners;
                }
            }
        }

        return owners;
    }

    private static IEnumerable<string> SafeEnumerate(string directory)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(directory).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? SafeLinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
