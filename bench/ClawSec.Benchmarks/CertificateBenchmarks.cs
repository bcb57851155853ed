using BenchmarkDotNet.Attributes;
using ClawSec.Proxy.Certificates;

namespace ClawSec.Benchmarks;

/// <summary>What a new intercepted host costs: one leaf certificate, signed by the CA.</summary>
public class CertificateBenchmarks
{
    private LeafCertificateIssuer _issuer = null!;
    private int _n;

    [GlobalSetup]
    public void Setup() => _issuer = new LeafCertificateIssuer(CertificateAuthority.Create(TimeProvider.System));

    [Benchmark(Description = "leaf certificate (ECDSA P-256)")]
    public object Leaf() => _issuer.Issue(CertificateHost.Parse($"host{_n++}.example.com"), DateTimeOffset.UtcNow);
}
