using System.Runtime.InteropServices;
using ClawSec.Proxy.Hosting;

namespace ClawSec.Proxy.Tests.Hosting;

/// <summary>Reads this process's resident memory, so it runs alone: another test's allocations would move the figure.</summary>
[CollectionDefinition(nameof(NativeHeapTests), DisableParallelization = true)]
[Collection(nameof(NativeHeapTests))]
public sealed class NativeHeapTests
{
    private const int BlockBytes = 1024;
    private const int Blocks = 64 * 1024;

    [Fact]
    public void Trim_gives_freed_native_memory_back_to_the_system()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "malloc_trim is glibc's");

        // 64 MiB in small blocks, every 64th kept: the freed ones lie between live ones, where glibc keeps them.
        var blocks = new nint[Blocks];
        for (var i = 0; i < Blocks; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(BlockBytes);
            Marshal.WriteByte(blocks[i], 1);
            Marshal.WriteByte(blocks[i], BlockBytes - 1, 1);
        }

        for (var i = 0; i < Blocks; i++)
        {
            if (i % 64 != 0)
            {
                Marshal.FreeHGlobal(blocks[i]);
            }
        }

        try
        {
            var before = ResidentBytes();
            Assert.True(NativeHeap.Trim());
            var returned = before - ResidentBytes();

            Assert.True(returned > 32L << 20, $"{returned >> 20} MiB returned of about 63 MiB freed");
        }
        finally
        {
            for (var i = 0; i < Blocks; i += 64)
            {
                Marshal.FreeHGlobal(blocks[i]);
            }
        }
    }

    private static long ResidentBytes() =>
        long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize;
}
