using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using ClawSec.Proxy.Certificates;

namespace ClawSec.Benchmarks;

/// <summary>
/// One intercepted TLS handshake as the proxy does it for a host it has seen before: the leaf comes from the cache,
/// the client and the proxy's server side shake hands over a real loopback TCP connection (TLS 1.3, ECDSA P-256).
/// </summary>
[MemoryDiagnoser]
public class TlsHandshakeBenchmarks
{
    private const string Host = "api.example.com";
    private LeafCertificateCache _leaves = null!;
    private X509Certificate2 _ca = null!;
    private TcpListener _listener = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ca = CertificateAuthority.Create(TimeProvider.System);
        _leaves = new LeafCertificateCache(_ca);
        _ = _leaves.GetAsync(Host).AsTask().GetAwaiter().GetResult();
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener.Stop();
        _ca.Dispose();
    }

    [Benchmark(Description = "TLS handshake, cached leaf")]
    public async Task Handshake()
    {
        using var client = new TcpClient();
        var accept = _listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port).ConfigureAwait(false);
        using var server = await accept.ConfigureAwait(false);
        await using var serverTls = new SslStream(server.GetStream());
        await using var clientTls = new SslStream(client.GetStream(), false, (_, certificate, _, _) => certificate is not null);
        var serverSide = serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = await _leaves.GetAsync(Host).ConfigureAwait(false),
            EnabledSslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12,
        });
        await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = Host }).ConfigureAwait(false);
        await serverSide.ConfigureAwait(false);
    }
}
