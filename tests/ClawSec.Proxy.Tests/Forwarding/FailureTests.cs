using System.Net;
using System.Net.Sockets;
using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ClawSec.Proxy.Tests.Forwarding;

/// <summary>What the client sees when the upstream fails, and what the upstream sees when the client leaves.</summary>
public sealed class FailureTests
{
    [Fact]
    public async Task An_upstream_that_never_answers_gets_504_after_the_activity_timeout()
    {
        var release = new TaskCompletionSource();
        await using var upstream = await TestUpstream.StartAsync(async context =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { });
        });
        await using var monitor = await MonitorProcess.StartAsync(new { upstream_activity_timeout_secs = 1 });

        var result = await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/slow");
        release.TrySetResult();

        Assert.Equal(504, Clients.StatusOf(result));
    }

    [Fact]
    public async Task An_upstream_reset_mid_response_aborts_the_client_connection()
    {
        // A raw upstream: half a response, then a TCP reset.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.ReceiveAsync(new byte[65536]);
            await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + new string('x', 1000)));
            socket.LingerState = new LingerOption(true, 0);
        });
        await using var monitor = await MonitorProcess.StartAsync();

        var result = await Clients.CurlAsync(monitor.ProxyUrl, $"http://127.0.0.1:{port}/reset");
        await serve;

        // 18: transfer closed with data outstanding; 56: connection reset. Either way the client was not left waiting
        // and did not take a truncated body for a whole one.
        Assert.Contains(result.ExitCode, new[] { 18, 56 });
    }

    [Fact]
    public async Task A_client_that_goes_away_cancels_the_upstream_request()
    {
        var started = new TaskCompletionSource();
        var cancelled = new TaskCompletionSource();
        await using var upstream = await TestUpstream.StartAsync(async context =>
        {
            context.Response.Headers.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: first\n\n");
            await context.Response.Body.FlushAsync();
            started.TrySetResult();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
            }
        });
        await using var monitor = await MonitorProcess.StartAsync();

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, monitor.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {upstream.Url}/stream HTTP/1.1\r\nHost: 127.0.0.1:{upstream.Port}\r\n\r\n"));
            await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_client_that_leaves_mid_upload_cancels_the_upstream_request()
    {
        var reading = new TaskCompletionSource();
        var aborted = new TaskCompletionSource();
        await using var upstream = await TestUpstream.StartAsync(async context =>
            {
                var buffer = new byte[8192];
                try
                {
                    while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) > 0)
                    {
                        reading.TrySetResult();
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionResetException or BadHttpRequestException)
                {
                    aborted.TrySetResult();
                }
            },
            new TestUpstreamOptions { RecordBodies = false });
        await using var monitor = await MonitorProcess.StartAsync();

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, monitor.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes(
                $"POST {upstream.Url}/upload HTTP/1.1\r\nHost: 127.0.0.1:{upstream.Port}\r\nContent-Length: 10000000\r\n\r\n"));
            await socket.SendAsync(new byte[100_000]);
            await reading.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_loopback_listener_answers_on_ipv6_too()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync();

        var result = await Clients.CurlAsync($"http://[::1]:{monitor.Port}", upstream.Url + "/v6");

        Assert.Equal(200, Clients.StatusOf(result));
    }
}
