using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ClawSec.Proxy.Certificates;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Certificates;

/// <summary>Real handshakes with clients nobody here wrote: Python's ssl module in strict mode, and curl.</summary>
public sealed class LeafCertificateTlsTests : IDisposable
{
    /// <summary>
    /// Verifies against ca.crt alone, with VERIFY_X509_STRICT as Python 3.13 sets by default, and prints the
    /// peer's CN and SAN. An IP address as server_hostname makes Python match the IP SAN and send no SNI.
    /// </summary>
    private const string HandshakeScript = """
        import socket, ssl, sys
        cafile, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        ctx = ssl.create_default_context(cafile=cafile)
        ctx.verify_flags |= ssl.VERIFY_X509_STRICT
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            with ctx.wrap_socket(sock, server_hostname=name) as tls:
                cert = tls.getpeercert()
                subject = dict(pair for rdn in cert["subject"] for pair in rdn)
                print("CN=" + subject["commonName"])
                print(";".join(kind + ":" + value for kind, value in cert["subjectAltName"]))
        """;

    private readonly X509Certificate2 _ca = TestCertificates.NewCa();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("clawsec-certs-");
    private readonly string _caFile;
    private readonly LeafCertificateCache _cache;

    public LeafCertificateTlsTests()
    {
        _caFile = TestCertificates.WriteCaFile(_ca, _directory.FullName);
        _cache = new LeafCertificateCache(_ca);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Python_in_strict_mode_accepts_the_leaf_for_localhost()
    {
        await using var server = TlsTestServer.Start(_cache.GetAsync);

        var result = await ProcessRunner.RunAsync("python3", ["-c", HandshakeScript, _caFile, server.Port.ToString(), "localhost"]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["CN=localhost", "DNS:localhost"], Lines(result.Stdout));
        Assert.Equal(["localhost"], server.ServerNames);
    }

    [Fact]
    public async Task Python_in_strict_mode_accepts_the_leaf_for_an_IP_address()
    {
        await using var server = TlsTestServer.Start(_cache.GetAsync, fallbackName: "127.0.0.1");

        var result = await ProcessRunner.RunAsync("python3", ["-c", HandshakeScript, _caFile, server.Port.ToString(), "127.0.0.1"]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["CN=127.0.0.1", "IP Address:127.0.0.1"], Lines(result.Stdout));
        Assert.Equal([""], server.ServerNames);
    }

    [Fact]
    public async Task Python_refuses_a_leaf_made_for_another_host()
    {
        await using var server = TlsTestServer.Start(_ => _cache.GetAsync("other.example"));

        var result = await ProcessRunner.RunAsync("python3", ["-c", HandshakeScript, _caFile, server.Port.ToString(), "localhost"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("CERTIFICATE_VERIFY_FAILED", result.Stderr);
    }

    [Fact]
    public async Task Python_in_strict_mode_refuses_a_leaf_without_an_authority_key_identifier()
    {
        // Shows the strict flag is in force: the same client accepts our leaves only because they carry an AKI.
        using var bare = LeafWithoutAuthorityKeyIdentifier("localhost");
        var context = SslStreamCertificateContext.Create(bare, [], offline: true);
        await using var server = TlsTestServer.Start(_ => ValueTask.FromResult(context));

        var result = await ProcessRunner.RunAsync("python3", ["-c", HandshakeScript, _caFile, server.Port.ToString(), "localhost"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Missing Authority Key Identifier", result.Stderr);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task Curl_trusting_the_CA_gets_a_response(string host)
    {
        await using var server = TlsTestServer.Start(_cache.GetAsync, fallbackName: "127.0.0.1");
        var url = $"https://{host}:{server.Port}/";

        var result = await ProcessRunner.RunAsync("curl",
            ["-sS", "--max-time", "20", "--cacert", _caFile, "--resolve", $"localhost:{server.Port}:127.0.0.1", url]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("ok", result.Stdout);
        Assert.Empty(server.HandshakeFailures);
    }

    [Fact]
    public async Task Curl_without_the_CA_refuses_the_leaf()
    {
        await using var server = TlsTestServer.Start(_cache.GetAsync);

        var result = await ProcessRunner.RunAsync("curl",
            ["-sS", "--max-time", "20", "--resolve", $"localhost:{server.Port}:127.0.0.1", $"https://localhost:{server.Port}/"]);

        Assert.Equal(60, result.ExitCode);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A leaf like ours but lacking the Authority Key Identifier, signed by the same CA.</summary>
    private X509Certificate2 LeafWithoutAuthorityKeyIdentifier(string host)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var signed = request.Create(_ca, now.AddHours(-1), now.AddDays(1), [1, 2, 3, 4, 5, 6, 7, 8]);
        return signed.CopyWithPrivateKey(key);
    }
}
