using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// A CONNECT opens its upstream connection before answering 200, to answer 502 when it cannot. That connection
/// carries the tunnel's first request, so checking costs nothing; and when the request goes over a pooled
/// connection instead, the check's connection is closed with the tunnel rather than left open against the upstream.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class UpstreamConnectionTests(InterceptionFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_intercepted_tunnel_and_its_request_open_one_upstream_connection()
    {
        await using var upstream = await StartUpstreamAsync();

        var result = await Clients.CurlAsync(fixture.Monitor.ProxyUrl, upstream.UrlFor(fixture.NewHost()) + "/", "--cacert", fixture.CaFile);

        Assert.Equal(200, Clients.StatusOf(result));
        Assert.Equal(1, upstream.Connections.Accepted);
    }

    [Fact]
    public async Task Tunnels_served_over_a_pooled_upstream_connection_leave_no_other_connection_open()
    {
        await using var upstream = await StartUpstreamAsync();
        var url = upstream.UrlFor(fixture.NewHost()) + "/";

        // Each curl run is a new tunnel, and each CONNECT opens a connection; the requests after the first reuse
        // the forwarder's pooled one.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, Clients.StatusOf(await Clients.CurlAsync(fixture.Monitor.ProxyUrl, url, "--cacert", fixture.CaFile)));
        }

        Assert.Equal(5, upstream.Connections.Accepted);
        await upstream.Connections.WaitForOpenAsync(open => open == 1, Timeout);
    }

    private Task<TestUpstream> StartUpstreamAsync() =>
        TestUpstream.StartAsync(options: new TestUpstreamOptions { CertificateFor = fixture.UpstreamCertificates.For });
}
