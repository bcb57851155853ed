using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClawSec.Proxy.Certificates;

namespace ClawSec.Proxy.Tests.Certificates;

internal static class TestCertificates
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>A fresh CA made the way the monitor makes its own.</summary>
    public static X509Certificate2 NewCa(TimeProvider? time = null) => CertificateAuthority.Create(time ?? TimeProvider.System);

    /// <summary>Builds the leaf's chain trusting only <paramref name="ca"/>, as a client configured with ca.crt would.</summary>
    public static X509Chain BuildChain(X509Certificate2 leaf, X509Certificate2 ca)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ServerAuthOid));
        chain.Build(leaf);
        return chain;
    }

    public static X509SubjectAlternativeNameExtension AlternativeNames(X509Certificate2 certificate) =>
        Assert.IsType<X509SubjectAlternativeNameExtension>(certificate.Extensions["2.5.29.17"]);

    /// <summary>The CA certificate as PEM in a file, the way a client is told to trust it.</summary>
    public static string WriteCaFile(X509Certificate2 ca, string directory)
    {
        var path = Path.Combine(directory, CertificateAuthority.CertFileName);
        File.WriteAllText(path, ca.ExportCertificatePem() + "\n");
        return path;
    }

    /// <summary>
    /// A CA that is not ClawSec's, for test upstreams: made here rather than by the monitor's code, and named so a
    /// client can tell the certificates it signs from ClawSec's leaves.
    /// </summary>
    public static X509Certificate2 NewUpstreamCa(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    /// <summary>A server certificate for <paramref name="name"/> (a DNS name or an IP address) signed by <paramref name="ca"/>.</summary>
    public static X509Certificate2 IssueServerCertificate(X509Certificate2 ca, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], false));
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(name, out var address))
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var signed = request.Create(ca, now.AddHours(-1), now.AddDays(7), serial);
        return signed.CopyWithPrivateKey(key);
    }
}
