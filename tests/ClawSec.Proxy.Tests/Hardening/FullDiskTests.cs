using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Hardening;

/// <summary>A full disk under log_dir (a tiny tmpfs): errors are logged, proxying goes on, and writing resumes.</summary>
public sealed class FullDiskTests
{
    [Fact]
    public async Task A_full_log_dir_keeps_the_proxy_serving_and_no_record_is_lost_once_space_returns()
    {
        var logDir = MonitorProcess.NewLogDir();
        Directory.CreateDirectory(logDir);
        var mount = await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", logDir]);
        Assert.True(mount.ExitCode == 0, "mounting a tmpfs needs root: " + mount.Stderr);
        try
        {
            await using var upstream = await TestUpstream.StartAsync();
            await using var monitor = await MonitorProcess.StartAsync(logDir: logDir);
            using var client = monitor.CreateHttpClient();
            using (await client.GetAsync("http://before-full.invalid/etc/passwd"))
            {
            }

            await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == "before-full.invalid:80");

            // tmpfs hands out whole pages: the log's last page has room for a few lines, so twenty are sent.
            var filler = Path.Combine(logDir, "filler");
            FillDisk(filler);
            for (var i = 0; i < 20; i++)
            {
                using var response = await client.GetAsync($"http://while-full-{i}.invalid/etc/shadow");
                Assert.Equal(System.Net.HttpStatusCode.BadGateway, response.StatusCode);
            }

            Assert.Equal("ok", await client.GetStringAsync(upstream.Url + "/still-serving"));
            Assert.False(monitor.HasExited);

            // Whatever a failed append left was cut back: the file holds whole lines only.
            Assert.EndsWith("\n", File.ReadAllText(monitor.Threats.Path));

            File.Delete(filler);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (Enumerable.Range(0, 20).Any(i => !monitor.Threats.ReadAll().Any(r => ThreatLogFile.Get(r, "dest") == $"while-full-{i}.invalid:80")))
            {
                Assert.True(DateTime.UtcNow < deadline, "records written while the disk was full did not arrive");
                await Task.Delay(50);
            }

            Assert.Contains("Cannot write the threat log", monitor.Stderr);

            // stderr reaches the test through a pipe, a moment after the file write it follows.
            var logged = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!monitor.Stderr.Contains("works again", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < logged, monitor.Stderr);
                await Task.Delay(20);
            }
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", ["-l", logDir]);
        }
    }

    private static void FillDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }
}
