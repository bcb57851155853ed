using System.Security.Cryptography.X509Certificates;
using ClawSec.Proxy.Tests.Certificates;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

[CollectionDefinition(Name)]
public sealed class InterceptionCollection : ICollectionFixture<InterceptionFixture>
{
    public const string Name = "Interception";
}

/// <summary>
/// What the interception tests share, started once: an HTTPS upstream whose certificates a CA of the test's own
/// signs, two plain-HTTP upstreams, a monitor that intercepts TLS and trusts that CA through
/// <c>upstream_ca_file</c>, and a second monitor with MITM off. Every host name a test uses is mapped to
/// 127.0.0.1 with the <c>resolve</c> key, and each test takes names no other test uses, so the threat records
/// for a <c>dest</c> are that test's alone.
/// </summary>
public sealed class InterceptionFixture : IAsyncLifetime
{
    public const int ManyHostCount = 50;
    private const int TestHostCount = 100;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("clawsec-interception-");
    private int _nextHost;

    internal UpstreamCertificates UpstreamCertificates { get; } =
        new(TestCertificates.NewUpstreamCa("Interception Test Upstream CA"));

    /// <summary>The PEM file of the upstreams' CA, which the monitors trust through <c>upstream_ca_file</c>.</summary>
    internal string UpstreamCaFile { get; private set; } = null!;

    internal EventStreams Events { get; } = new();

    internal TestUpstream Https { get; private set; } = null!;
    internal TestUpstream Http { get; private set; } = null!;
    internal TestUpstream OtherHttp { get; private set; } = null!;

    /// <summary>The monitor that intercepts TLS (the default).</summary>
    internal MonitorProcess Monitor { get; private set; } = null!;

    /// <summary>A monitor started with <c>--no-mitm</c>.</summary>
    internal MonitorProcess OpaqueMonitor { get; private set; } = null!;

    /// <summary>The intercepting monitor's CA, the one file a client is told to trust.</summary>
    internal string CaFile => Path.Combine(Monitor.LogDir, "ca.crt");

    internal X509Certificate2 Ca { get; private set; } = null!;

    /// <summary>h1.test … h50.test.</summary>
    internal static IReadOnlyList<string> ManyHosts { get; } =
        Enumerable.Range(1, ManyHostCount).Select(i => $"h{i}.test").ToArray();

    /// <summary>A host name mapped to 127.0.0.1 that no other test uses.</summary>
    internal string NewHost()
    {
        var number = Interlocked.Increment(ref _nextHost);
        Assert.True(number <= TestHostCount, "the fixture maps too few test host names; raise TestHostCount");
        return $"t{number}.test";
    }

    public async ValueTask InitializeAsync()
    {
        UpstreamCaFile = Path.Combine(_directory.FullName, "upstream-ca.pem");
        await File.WriteAllTextAsync(UpstreamCaFile, UpstreamCertificates.Ca.ExportCertificatePem() + "\n");

        var recordHeadsOnly = new TestUpstreamOptions { RecordBodies = false };
        Https = await TestUpstream.StartAsync(InterceptionUpstream.Responder("https", Events),
            recordHeadsOnly with { CertificateFor = UpstreamCertificates.For });
        Http = await TestUpstream.StartAsync(InterceptionUpstream.Responder("alpha", Events), recordHeadsOnly);
        OtherHttp = await TestUpstream.StartAsync(InterceptionUpstream.Responder("beta", Events), recordHeadsOnly);

        var resolve = ManyHosts.Concat(Enumerable.Range(1, TestHostCount).Select(i => $"t{i}.test"))
            .ToDictionary(host => host, _ => "127.0.0.1");
        var monitors = await Task.WhenAll(
            MonitorProcess.StartAsync(new { upstream_ca_file = UpstreamCaFile, resolve }),
            MonitorProcess.StartAsync(new { upstream_ca_file = UpstreamCaFile, resolve }, extraArgs: ["--no-mitm"]));
        (Monitor, OpaqueMonitor) = (monitors[0], monitors[1]);
        Ca = X509CertificateLoader.LoadCertificateFromFile(CaFile);
    }

    public async ValueTask DisposeAsync()
    {
        await Monitor.DisposeAsync();
        await OpaqueMonitor.DisposeAsync();
        await Https.DisposeAsync();
        await Http.DisposeAsync();
        await OtherHttp.DisposeAsync();
        Ca.Dispose();
        UpstreamCertificates.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>Waits for the record of <paramref name="pattern"/> sent to <paramref name="dest"/>.</summary>
    internal Task<System.Text.Json.JsonElement> RecordAsync(string dest, string pattern, MonitorProcess? monitor = null) =>
        (monitor ?? Monitor).Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == dest && ThreatLogFile.Get(r, "pattern") == pattern);
}
