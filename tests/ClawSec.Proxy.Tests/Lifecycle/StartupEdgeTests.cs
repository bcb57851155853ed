using System.Net;
using System.Net.Sockets;
using System.Text;
using ClawSec.Proxy.Logging;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Lifecycle;

public sealed class StartupEdgeTests
{
    [Fact]
    public async Task An_unreadable_ca_is_moved_aside_loudly_and_a_new_one_is_created()
    {
        var logDir = MonitorProcess.NewLogDir();
        Directory.CreateDirectory(logDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(logDir, "ca.crt"), "not a certificate");
        File.WriteAllText(Path.Combine(logDir, "ca.key"), "not a key");

        await using var monitor = await MonitorProcess.StartAsync(logDir: logDir);

        Assert.Contains("cannot be read", monitor.Stderr);
        Assert.Contains("NEW CA CERTIFICATE", monitor.Stderr);
        var aside = Directory.GetFiles(logDir, "ca.crt.broken-*");
        Assert.Equal("not a certificate", File.ReadAllText(Assert.Single(aside)));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(Path.Combine(logDir, "ca.crt")));
    }

    [Fact]
    public async Task The_forwarder_ignores_http_proxy_in_its_own_environment()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var deadProxy = $"http://127.0.0.1:{FreePort.Next()}";
        await using var monitor = await MonitorProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["HTTP_PROXY"] = deadProxy, ["HTTPS_PROXY"] = deadProxy, ["http_proxy"] = deadProxy, ["ALL_PROXY"] = deadProxy,
        });

        using var client = monitor.CreateHttpClient();
        Assert.Equal("ok", await client.GetStringAsync(upstream.Url + "/direct"));
    }

    [Fact]
    public async Task A_connect_after_a_request_on_the_same_connection_gets_405_and_a_close()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync();
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, monitor.Port);
        var stream = tcp.GetStream();
        var dest = $"127.0.0.1:{upstream.Port}";

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {upstream.Url}/first HTTP/1.1\r\nHost: {dest}\r\n\r\nCONNECT {dest} HTTP/1.1\r\nHost: {dest}\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var all = await reader.ReadToEndAsync(timeout.Token);

        Assert.StartsWith("HTTP/1.1 200", all);
        Assert.Contains("HTTP/1.1 405", all);
    }

    [Fact]
    public async Task Expect_100_continue_is_answered_before_the_body_is_sent()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var monitor = await MonitorProcess.StartAsync();
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, monitor.Port);
        var stream = tcp.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {upstream.Url}/expect HTTP/1.1\r\nHost: 127.0.0.1:{upstream.Port}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
        var interim = new byte[25];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.ReadExactlyAsync(interim, timeout.Token);
        Assert.StartsWith("HTTP/1.1 100 Continue", Encoding.ASCII.GetString(interim));

        await stream.WriteAsync("hello"u8.ToArray());
        var rest = new byte[512];
        var read = await stream.ReadAsync(rest, timeout.Token);
        Assert.Contains("200 OK", Encoding.ASCII.GetString(rest, 0, read));
        Assert.Equal("hello", Encoding.ASCII.GetString(Assert.Single(upstream.Requests).Body));
    }

    [Fact]
    public void The_text_log_rotates_at_its_size_limit_keeping_three_old_files()
    {
        var dir = Directory.CreateTempSubdirectory("clawsec-rotate").FullName;
        var path = Path.Combine(dir, "clawsec.log");
        using (var writer = new RotatingFileWriter(path, maxBytes: 1000, keep: 3))
        {
            for (var i = 0; i < 100; i++)
            {
                writer.WriteLine($"line {i:D3} " + new string('x', 90));
            }
        }

        Assert.Equal(["clawsec.log", "clawsec.log.1", "clawsec.log.2", "clawsec.log.3"],
            Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.All(Directory.GetFiles(dir), f => Assert.True(new FileInfo(f).Length <= 1000));
        Assert.EndsWith("line 099 " + new string('x', 90), File.ReadAllText(path).TrimEnd());
    }
}
