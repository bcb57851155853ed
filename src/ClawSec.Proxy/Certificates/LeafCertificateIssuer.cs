using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClawSec.Proxy.Certificates;

/// <summary>
/// Signs short-lived server certificates for intercepted hosts with the local CA. ECDSA P-256 keeps a new leaf
/// at about a millisecond, so a first request to a host does not stall.
/// </summary>
internal sealed class LeafCertificateIssuer
{
    /// <summary>X.520 upper bound for a common name; some parsers reject longer ones.</summary>
    private const int MaxCommonNameLength = 64;

    private const string SubjectKeyIdentifierOid = "2.5.29.14";
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>Tolerates clients whose clock is a little behind ours.</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromHours(1);

    private readonly X509Certificate2 _ca;
    private readonly DateTimeOffset _caNotBefore;
    private readonly DateTimeOffset _caNotAfter;
    private readonly X509Extension _authorityKeyIdentifier;

    public LeafCertificateIssuer(X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (!ca.HasPrivateKey)
        {
            throw new ArgumentException("The CA certificate has no private key, so it cannot sign leaves.", nameof(ca));
        }

        if (ca.Extensions[SubjectKeyIdentifierOid] is null)
        {
            throw new ArgumentException(
                "The CA certificate has no Subject Key Identifier, so leaves could not name it in their Authority Key Identifier.",
                nameof(ca));
        }

        _ca = ca;
        _caNotBefore = new DateTimeOffset(ca.NotBefore);
        _caNotAfter = new DateTimeOffset(ca.NotAfter);
        _authorityKeyIdentifier = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            ca, includeKeyIdentifier: true, includeIssuerAndSerial: false);
    }

    /// <summary>How long a new leaf is valid, unless the CA expires sooner.</summary>
    public static TimeSpan Lifetime { get; } = TimeSpan.FromDays(30);

    /// <summary>Makes a leaf for <paramref name="host"/> valid at <paramref name="now"/>, with its private key.</summary>
    /// <exception cref="InvalidOperationException">The CA has expired or is not yet valid.</exception>
    public X509Certificate2 Issue(CertificateHost host, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(host);
        var notBefore = Max(now - Backdate, _caNotBefore);
        var notAfter = Min(now + Lifetime, _caNotAfter);
        if (notAfter <= now || notBefore > now)
        {
            throw new InvalidOperationException(
                $"The ClawSec CA is valid from {_caNotBefore:u} to {_caNotAfter:u}, so it cannot sign a certificate for {host.Key} now.");
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(SubjectFor(host), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], false));
        request.CertificateExtensions.Add(AlternativeNameFor(host));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(_authorityKeyIdentifier);

        using var signed = Sign(request, notBefore, notAfter);
        return signed.CopyWithPrivateKey(key);
    }

    private X509Certificate2 Sign(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var serial = NewSerialNumber();
        using var ecdsa = _ca.GetECDsaPrivateKey();
        if (ecdsa is not null)
        {
            return request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(ecdsa), notBefore, notAfter, serial);
        }

        // A CA replaced by hand may be RSA; it still signs, only more slowly.
        using var rsa = _ca.GetRSAPrivateKey()
            ?? throw new InvalidOperationException("The CA's private key is neither ECDSA nor RSA.");
        return request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            notBefore, notAfter, serial);
    }

    /// <summary>
    /// 16 random bytes read as a positive integer: the top bit is cleared so it is not negative, and the next one
    /// set so DER keeps all 16 bytes.
    /// </summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }

    private static X500DistinguishedName SubjectFor(CertificateHost host)
    {
        // Clients match the SAN, never the CN, when a SAN is present, so a cut CN is only cosmetic.
        var name = host.Key.Length > MaxCommonNameLength ? host.Key[..MaxCommonNameLength] : host.Key;
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(name);
        return builder.Build();
    }

    private static X509Extension AlternativeNameFor(CertificateHost host)
    {
        var builder = new SubjectAlternativeNameBuilder();
        if (host.Address is { } address)
        {
            builder.AddIpAddress(address);
        }
        else
        {
            builder.AddDnsName(host.Key);
        }

        return builder.Build();
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
