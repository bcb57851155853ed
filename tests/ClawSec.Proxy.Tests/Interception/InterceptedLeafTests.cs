using System.Collections.Concurrent;
using System.Net;
using ClawSec.Proxy.Tests.Certificates;
using ClawSec.Proxy.Tests.Infrastructure;

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
    public async Task Curl_reaches_an_IPv6_literal_through_interception_and_the_threat_names_it_in_brackets()
    {
        await using var upstream = await TestUpstream.StartAsync(InterceptionUpstream.Responder("ipv6", fixture.Events),
            new TestUpstreamOptions { Address = IPAddress.IPv6Loopback, CertificateFor = _ => fixture.UpstreamCertificates.For("::1"), RecordBodies = false });
        var body = "key=" + FakeSecrets.AnthropicKey();

        // curl checks the leaf against the address it was given: only an IP SAN for ::1 passes.
        var result = await Clients.CurlAsync(fixture.Monitor.ProxyUrl, upstream.Url + "/echo", "--cacert", fixture.CaFile, "--data-binary", body);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(200, Clients.StatusOf(result));
        Assert.StartsWith(InterceptionUpstream.EchoLine("ipv6", $"[::1]:{upstream.Port}", "/echo", body), result.Stdout);
        await fixture.RecordAsync($"[::1]:{upstream.Port}", "ai_api_key");
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
