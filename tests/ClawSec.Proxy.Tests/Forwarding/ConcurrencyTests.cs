using System.Net;
using System.Net.Sockets;
using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Forwarding;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Three_hundred_concurrent_origin_form_requests_without_host_all_get_an_answer()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 300).Select(async _ =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, monitor.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /load-test HTTP/1.0\r\n\r\n"));
            using var stream = new NetworkStream(socket);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await reader.ReadToEndAsync(timeout.Token);
        }));

        Assert.All(answers, a => Assert.StartsWith("HTTP/1.1 400", a));
        using var client = monitor.CreateHttpClient();
        Assert.Equal("ok", await client.GetStringAsync(upstream.Url + "/after"));
    }

    [Fact]
    public async Task Http_1_0_clients_are_served()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync();

        var result = await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/old", "--http1.0");

        Assert.Equal(200, Clients.StatusOf(result));
        Assert.StartsWith("ok", result.Stdout);
    }

    [Fact]
    public async Task Proxy_headers_are_not_forwarded_and_the_upstream_sees_the_request_unchanged()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync();

        var result = await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/p?x=1", "-H", "Proxy-Connection: keep-alive",
            "-H", "X-Custom: kept", "--data-binary", "body bytes");

        Assert.Equal(200, Clients.StatusOf(result));
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal("/p?x=1", seen.PathAndQuery);
        Assert.Equal("kept", seen.Headers["X-Custom"]);
        Assert.DoesNotContain(seen.Headers.Keys, k => k.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("body bytes", Encoding.UTF8.GetString(seen.Body));
    }

    [Fact]
    public async Task An_origin_form_request_gets_400_and_a_request_to_the_proxy_itself_508()
    {
        await using var monitor = await MonitorProcess.StartAsync();

        var direct = await ProcessRunner.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", monitor.ProxyUrl + "/"]);
        var loop = await Clients.CurlAsync(monitor.ProxyUrl, monitor.ProxyUrl + "/");

        Assert.Equal("400", direct.Stdout);
        Assert.Equal(508, Clients.StatusOf(loop));
    }
}
