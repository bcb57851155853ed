using System.Runtime.InteropServices;

namespace ClawSec.Cli.State;

/// <summary>File ownership, which .NET does not expose: read with <c>statx</c>, whose layout is the same on every architecture.</summary>
internal static unsafe partial class UnixFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x8;
    private const int UidOffset = 20;

    /// <summary>The owner's uid of a path (not following a final symlink), or null when it cannot be read.</summary>
    public static uint? OwnerOf(string path)
    {
        var buffer = stackalloc byte[256];
        try
        {
            return Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid, buffer) == 0 ? *(uint*)(buffer + UidOffset) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
    }

    public static uint CurrentUid() => GetEuid();

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
