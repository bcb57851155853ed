using System.Runtime.InteropServices;

namespace ClawSec.Proxy.Tests.Infrastructure;

internal static partial class Signals
{
    public const int SigTerm = 15;

    public static void Send(int pid, int signal) => _ = Kill(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int sig);
}
