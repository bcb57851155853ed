using System.Collections.Concurrent;
using System.Net;
using ClawSec.Proxy.Tests.Certificates;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// The leaves the monitor serves through a CONNECT tunnel: the right kind of name for a host and for an address,
/// accepted by Python's strict verifier, and one leaf per host when many connections to many hosts open at once.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class InterceptedLeafTests(InterceptionFixture fixture)
{
    [Theory]
    [InlineData("localhost", "DNS:localhost")]
    [InlineData("127.0.0.1", "IP Address:127.0.0.1")]
    public async Task Python_in_strict_mode_accepts_the_leaf_served_through_the_proxy(string host, string expectedName)
    {
        var result = await PythonHttpClient.TunnelAsync(fixture.Monitor, host, fixture.Https.Port, fixture.CaFile, strict: true,
            new PythonHttpClient.Request("GET", "/echo"));

        var response = Assert.Single(result.Responses);
        Assert.Equal(200, response.Status);
        Assert.Equal(InterceptionUpstream.EchoLine("https", $"{host}:{fixture.Https.Port}", "/echo", ""), response.Body);
        Assert.NotNull(result.Peer);
        Assert.Equal([expectedName], result.Peer.San);
        Assert.StartsWith("ClawSec Local CA", result.Peer.Issuer);
    }

    [Fact]
    public async Task Two_hundred_concurrent_requests_to_fifty_hosts_all_succeed_and_each_host_gets_one_leaf()
    {
        var seen = new ConcurrentQueue<(string Host, string Serial, string Names)>();
        using var client = ProxiedHttpClient.Create(fixture.Monitor, fixture.Ca,
            (host, certificate) =>
            {
                using (certificate)
                {
                    var names = TestCertificates.AlternativeNames(certificate);
                    seen.Enqueue((host, certificate.SerialNumber, string.Join(",", names.EnumerateDnsNames())));
                }
            });
        var requests = Enumerable.Range(0, 200).Select(i => (Host: InterceptionFixture.ManyHosts[i % InterceptionFixture.ManyHostCount], Index: i)).ToArray();

        var bodies = await Task.WhenAll(requests.Select(async r =>
        {
            using var response = await client.GetAsync(fixture.Https.UrlFor(r.Host) + $"/echo?i={r.Index}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }));

        Assert.Equal(requests.Select(r => InterceptionUpstream.EchoLine("https", $"{r.Host}:{fixture.Https.Port}", $"/echo?i={r.Index}", "")), bodies);
        var byHost = seen.GroupBy(s => s.Host).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(InterceptionFixture.ManyHosts.Order(), byHost.Keys.Order());
        Assert.All(byHost, pair =>
        {
            // However many connections the client opened to a host, every handshake showed the same leaf, made for that host.
            Assert.Single(pair.Value.Select(s => s.Serial).Distinct());
            Assert.All(pair.Value, s => Assert.Equal(pair.Key, s.Names));
        });
        Assert.Equal(InterceptionFixture.ManyHostCount, seen.Select(s => s.Serial).Distinct().Count());
    }
}
