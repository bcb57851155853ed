using System.Runtime.InteropServices;

namespace ClawSec.Proxy.Hosting;

/// <summary>
/// The C library's heap, where the runtime, the JIT and OpenSSL allocate. glibc keeps what they free in its arenas
/// for reuse; after a burst of TLS handshakes and compilation that is several MB the process no longer needs.
/// </summary>
internal static partial class NativeHeap
{
    // 0 untried, 1 available, -1 not in this C library (musl, macOS).
    private static int s_available;

    /// <summary>Returns the free pages of every glibc arena to the system; false where there is no <c>malloc_trim</c>.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref s_available) < 0)
        {
            return false;
        }

        try
        {
            MallocTrim(0);
            Volatile.Write(ref s_available, 1);
            return true;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref s_available, -1);
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
