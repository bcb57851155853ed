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
}
