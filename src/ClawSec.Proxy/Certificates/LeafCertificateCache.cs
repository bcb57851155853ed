using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClawSec.Proxy.Certificates;

// Temporary stand-in, replaced by the real cache.
internal sealed class LeafCertificateCache(X509Certificate2 ca, int capacity = 4096, TimeProvider? time = null)
{
    public ValueTask<SslStreamCertificateContext> GetAsync(string host)
    {
        _ = capacity; _ = time;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (System.Net.IPAddress.TryParse(host, out var ip)) san.AddIpAddress(ip); else san.AddDnsName(host);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16); serial[0] &= 0x7f;
        using var cert = req.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        var leaf = cert.CopyWithPrivateKey(key);
        return ValueTask.FromResult(SslStreamCertificateContext.Create(leaf, [X509CertificateLoader.LoadCertificate(ca.RawData)], offline: true));
    }
}
