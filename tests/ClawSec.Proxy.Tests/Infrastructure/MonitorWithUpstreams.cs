using ClawSec.Proxy.Tests.Certificates;
using ClawSec.Proxy.Tests.Interception;

namespace ClawSec.Proxy.Tests.Infrastructure;

/// <summary>
/// One monitor and two upstreams on 127.0.0.1 shared by a test class: a plain-HTTP one, reached with absolute-form
/// requests, and an HTTPS one, reached through a CONNECT tunnel the monitor intercepts and whose certificate the
/// monitor trusts (<c>upstream_ca_file</c>), so a request inside the tunnel is really forwarded.
/// </summary>
public sealed class MonitorWithUpstreams : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("clawsec-upstreams-");
    private readonly UpstreamCertificates _certificates = new(TestCertificates.NewUpstreamCa("Test Upstream CA"));
    private int _settle;

    internal MonitorProcess Monitor { get; private set; } = null!;
    internal TestUpstream Http { get; private set; } = null!;
    internal TestUpstream Https { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var caFile = Path.Combine(_directory.FullName, "upstream-ca.pem");
        await File.WriteAllTextAsync(caFile, _certificates.Ca.ExportCertificatePem() + "\n");
        Http = await TestUpstream.StartAsync();
        Https = await TestUpstream.StartAsync(options: new TestUpstreamOptions { CertificateFor = _certificates.For });
        Monitor = await MonitorProcess.StartAsync(new { upstream_ca_file = caFile });
    }

    public async ValueTask DisposeAsync()
    {
        await Monitor.DisposeAsync();
        await Http.DisposeAsync();
        await Https.DisposeAsync();
        _certificates.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>The upstream a request reaches: the HTTPS one inside a tunnel, the plain one otherwise.</summary>
    internal TestUpstream UpstreamFor(bool overTls) => overTls ? Https : Http;

    /// <summary>What comes before the path in the request line: nothing inside a tunnel, the upstream's URL otherwise.</summary>
    internal string TargetFor(bool overTls) => overTls ? "" : Http.Url;

    /// <summary>A raw connection to the monitor, inside an intercepted tunnel to the HTTPS upstream when <paramref name="overTls"/>.</summary>
    internal Task<RawProxyConnection> ConnectAsync(bool overTls) =>
        RawProxyConnection.OpenAsync(Monitor, overTls ? $"127.0.0.1:{Https.Port}" : null);

    /// <summary>
    /// Sends a good request the same way and waits until the upstream has answered it, so whatever an earlier
    /// request would have made the upstream see has had its chance to arrive. Returns the settling request's head.
    /// </summary>
    internal async Task<string> SettleAsync(bool overTls)
    {
        var path = $"/settle-{Interlocked.Increment(ref _settle)}";
        await using var connection = await ConnectAsync(overTls);
        await connection.WriteAsync($"GET {TargetFor(overTls)}{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", await connection.ReadToEndAsync());
        await UpstreamFor(overTls).HeadArrival(path).WaitAsync(TimeSpan.FromSeconds(20));
        return "GET " + path;
    }
}
