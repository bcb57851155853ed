using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Hardening;

/// <summary>Slow and idle connections by the hundred or thousand do not stop the proxy serving others.</summary>
public sealed class LoadUnderAttackTests
{
    [Fact]
    public async Task A_normal_request_succeeds_while_300_slowloris_connections_are_held_open()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync();
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 300; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, monitor.Port);
                await socket.SendAsync("G"u8.ToArray());
                sockets.Add(socket);
            }

            // The attack itself: one more byte a second on every connection while the real request runs.
            using var stop = new CancellationTokenSource();
            var drip = Task.Run(async () =>
            {
                var next = "ET http://slow.invalid/ HTTP/1.1\r\n"u8.ToArray();
                for (var i = 0; i < next.Length && !stop.IsCancellationRequested; i++)
                {
                    foreach (var socket in sockets)
                    {
                        try
                        {
                            await socket.SendAsync(next.AsMemory(i, 1));
                        }
                        catch (SocketException)
                        {
                        }
                    }

                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            });

            using var client = monitor.CreateHttpClient();
            client.Timeout = TimeSpan.FromSeconds(10);
            var watch = Stopwatch.StartNew();
            Assert.Equal("ok", await client.GetStringAsync(upstream.Url + "/normal"));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            await stop.CancelAsync();
            await drip;
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Idle_connections_beyond_the_limit_are_refused_with_a_log_line_and_the_proxy_recovers()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync(new { max_connections = 4000 });
        var sockets = new List<Socket>();
        try
        {
            var lastResetAtConnect = false;
            for (var i = 0; i < 5000; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, monitor.Port);
                    lastResetAtConnect = false;
                }
                catch (SocketException ex) when (i >= 4000 && ex.SocketErrorCode == SocketError.ConnectionReset)
                {
                    // A refusal's reset can overtake the client's own report that the connect completed.
                    lastResetAtConnect = true;
                }
            }

            // The 4001st and later are closed by the server; one read on the last one shows it.
            var buffer = new byte[16];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            int read;
            try
            {
                read = lastResetAtConnect ? 0 : await sockets[^1].ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                read = 0;
            }

            Assert.Equal(0, read);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }

        Assert.False(monitor.HasExited);
        using var client = monitor.CreateHttpClient();
        Assert.Equal("ok", await client.GetStringAsync(upstream.Url + "/after"));
        Assert.Contains("maximum number of concurrent connections", File.ReadAllText(Path.Combine(monitor.LogDir, "clawsec.log")));
    }
}
