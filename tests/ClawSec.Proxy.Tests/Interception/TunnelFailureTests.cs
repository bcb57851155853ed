using System.Net;
using System.Net.Sockets;
using System.Text;
using ClawSec.Proxy.Tests.Certificates;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// A CONNECT whose target cannot be reached is refused with 502 and a reason, never 200; an upstream whose
/// certificate the monitor does not trust gets the client a 502 naming the reason, and the text log names the host.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class TunnelFailureTests(InterceptionFixture fixture)
{
    [Fact]
    public async Task Curl_reports_a_502_for_a_CONNECT_to_a_closed_port()
    {
        var result = await Clients.CurlAsync(fixture.Monitor.ProxyUrl, $"https://127.0.0.1:{FreePort.Next()}/", "--cacert", fixture.CaFile);

        // 56: failure receiving network data, which is how curl ends a refused tunnel.
        Assert.Equal(56, result.ExitCode);
        Assert.Contains("CONNECT tunnel failed, response 502", result.Stderr);
    }

    [Theory]
    [InlineData("closed-port", "connection refused")]
    [InlineData("unresolvable", "host not found")]
    public async Task A_CONNECT_to_an_unreachable_target_is_answered_502_with_the_reason(string target, string reason)
    {
        var authority = target == "closed-port" ? $"127.0.0.1:{FreePort.Next()}" : "nowhere.invalid:443";
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, fixture.Monitor.Port);
        await using var stream = new NetworkStream(socket);

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var answer = await new StreamReader(stream).ReadToEndAsync(timeout.Token);

        Assert.StartsWith("HTTP/1.1 502 ", answer);
        Assert.EndsWith($"ClawSec: cannot connect to {authority}: {reason}\n", answer);
    }

    [Theory]
    [InlineData("curl")]
    [InlineData("urllib")]
    public async Task An_upstream_with_an_untrusted_certificate_is_answered_502_with_the_reason_and_logged_by_host(string client)
    {
        // A CA that is not in upstream_ca_file (nor in the system store) signs this upstream's certificates.
        using var strangers = new UpstreamCertificates(TestCertificates.NewUpstreamCa("Untrusted Test CA"));
        await using var upstream = await TestUpstream.StartAsync(options: new TestUpstreamOptions { CertificateFor = strangers.For });
        var host = fixture.NewHost();
        var url = upstream.UrlFor(host) + "/";

        var result = client == "curl"
            ? await Clients.CurlAsync(fixture.Monitor.ProxyUrl, url, "--cacert", fixture.CaFile)
            : await Clients.UrllibAsync(fixture.Monitor.ProxyUrl, url, caFile: fixture.CaFile);

        Assert.Equal(502, Clients.StatusOf(result));
        Assert.Contains("upstream TLS certificate rejected: certificate not trusted", result.Stdout);
        Assert.Empty(upstream.Requests);
        // The monitor logs the rejection during the handshake, before it answers the client.
        var log = await File.ReadAllTextAsync(Path.Combine(fixture.Monitor.LogDir, "clawsec.log"));
        Assert.Contains($"Upstream TLS certificate of {host} rejected: certificate not trusted", log);
    }

    [Fact]
    public async Task An_upstream_whose_trusted_certificate_names_another_host_is_answered_502_with_the_reason()
    {
        await using var upstream = await TestUpstream.StartAsync(
            options: new TestUpstreamOptions { CertificateFor = _ => fixture.UpstreamCertificates.For("someone-else.test") });
        var host = fixture.NewHost();

        var result = await Clients.CurlAsync(fixture.Monitor.ProxyUrl, upstream.UrlFor(host) + "/", "--cacert", fixture.CaFile);

        Assert.Equal(502, Clients.StatusOf(result));
        Assert.Contains("upstream TLS certificate rejected: certificate does not match the host name", result.Stdout);
        Assert.Empty(upstream.Requests);
    }
}
