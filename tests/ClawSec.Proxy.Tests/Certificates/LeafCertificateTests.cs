using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClawSec.Proxy.Certificates;

namespace ClawSec.Proxy.Tests.Certificates;

/// <summary>What is inside the leaves the cache hands out.</summary>
public sealed class LeafCertificateTests : IDisposable
{
    private readonly X509Certificate2 _ca = TestCertificates.NewCa();

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task A_leaf_for_localhost_has_a_DNS_SAN_and_no_IP_SAN()
    {
        var leaf = await LeafFor("localhost");

        var names = TestCertificates.AlternativeNames(leaf);
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Empty(names.EnumerateIPAddresses());
        Assert.Equal("CN=localhost", leaf.Subject);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("[::1]", "::1")]
    public async Task A_leaf_for_an_address_has_an_IP_SAN_and_no_DNS_SAN(string host, string address)
    {
        var leaf = await LeafFor(host);

        var names = TestCertificates.AlternativeNames(leaf);
        Assert.Equal([IPAddress.Parse(address)], names.EnumerateIPAddresses());
        Assert.Empty(names.EnumerateDnsNames());
    }

    [Fact]
    public async Task The_authority_key_identifier_is_the_CAs_subject_key_identifier()
    {
        var leaf = await LeafFor("api.example.com");

        var caKeyId = Assert.IsType<X509SubjectKeyIdentifierExtension>(_ca.Extensions["2.5.29.14"]).SubjectKeyIdentifierBytes;
        var aki = Assert.IsType<X509AuthorityKeyIdentifierExtension>(leaf.Extensions["2.5.29.35"]);
        Assert.Equal(caKeyId.ToArray(), aki.KeyIdentifier!.Value.ToArray());
        Assert.False(aki.Critical);
    }

    [Fact]
    public async Task The_chain_builds_against_the_CA_alone()
    {
        var leaf = await LeafFor("api.example.com");

        using var chain = TestCertificates.BuildChain(leaf, _ca);

        Assert.Equal(X509ChainStatusFlags.NoError, chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status));
        Assert.Equal(2, chain.ChainElements.Count);
        Assert.Equal(_ca.Thumbprint, chain.ChainElements[1].Certificate.Thumbprint);
    }

    [Fact]
    public async Task A_leaf_is_a_P256_server_certificate_signed_by_the_CA_with_SHA256()
    {
        var leaf = await LeafFor("api.example.com");

        Assert.True(leaf.HasPrivateKey);
        Assert.Equal(_ca.Subject, leaf.Issuer);
        Assert.Equal("1.2.840.10045.4.3.2", leaf.SignatureAlgorithm.Value);
        using var key = leaf.GetECDsaPublicKey()!;
        Assert.Equal("1.2.840.10045.3.1.7", key.ExportParameters(false).Curve.Oid.Value);

        var constraints = Assert.IsType<X509BasicConstraintsExtension>(leaf.Extensions["2.5.29.19"]);
        Assert.False(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        var usage = Assert.IsType<X509KeyUsageExtension>(leaf.Extensions["2.5.29.15"]);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        Assert.True(usage.Critical);
        var extendedUsage = Assert.IsType<X509EnhancedKeyUsageExtension>(leaf.Extensions["2.5.29.37"]);
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], extendedUsage.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var keyId = Assert.IsType<X509SubjectKeyIdentifierExtension>(leaf.Extensions["2.5.29.14"]);
        Assert.Equal(new X509SubjectKeyIdentifierExtension(leaf.PublicKey, false).SubjectKeyIdentifier, keyId.SubjectKeyIdentifier);
    }

    [Fact]
    public async Task Serial_numbers_are_random_positive_and_16_bytes_long()
    {
        var cache = new LeafCertificateCache(_ca);
        var serials = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var leaf = (await cache.GetAsync($"host{i}.example")).TargetCertificate;
            var bigEndian = leaf.SerialNumberBytes.ToArray();
            Assert.Equal(16, bigEndian.Length);
            Assert.True(bigEndian[0] is > 0 and < 0x80);
            serials.Add(leaf.SerialNumber);
        }

        Assert.Equal(serials.Count, serials.Distinct().Count());
    }

    [Fact]
    public async Task A_leaf_is_valid_from_an_hour_ago_for_30_days()
    {
        var before = DateTimeOffset.UtcNow;
        var leaf = await LeafFor("api.example.com");
        var after = DateTimeOffset.UtcNow;

        // Certificates keep whole seconds.
        var slack = TimeSpan.FromSeconds(1);
        Assert.InRange(new DateTimeOffset(leaf.NotBefore), before.AddHours(-1) - slack, after.AddHours(-1));
        Assert.InRange(new DateTimeOffset(leaf.NotAfter), before.AddDays(30) - slack, after.AddDays(30));
    }

    [Fact]
    public async Task A_leaf_never_outlives_the_CA()
    {
        // A CA made ten years less ten days ago expires in ten days.
        var tenDaysLeft = new ManualTimeProvider(DateTimeOffset.UtcNow.AddYears(-10).AddDays(10));
        using var ca = TestCertificates.NewCa(tenDaysLeft);
        var cache = new LeafCertificateCache(ca);

        var leaf = (await cache.GetAsync("api.example.com")).TargetCertificate;

        Assert.Equal(ca.NotAfter, leaf.NotAfter);
        using var chain = TestCertificates.BuildChain(leaf, ca);
        Assert.Equal(X509ChainStatusFlags.NoError, chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status));
    }

    [Fact]
    public async Task A_long_name_is_cut_to_64_characters_in_the_CN_but_kept_whole_in_the_SAN()
    {
        var host = string.Join('.', Enumerable.Repeat(new string('a', 40), 4)) + ".example";

        var leaf = await LeafFor(host);

        Assert.Equal(64, leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false).Length);
        Assert.Equal([host], TestCertificates.AlternativeNames(leaf).EnumerateDnsNames());
    }

    [Fact]
    public async Task An_international_name_gets_its_punycode_form()
    {
        var leaf = await LeafFor("Bücher.example");

        Assert.Equal(["xn--bcher-kva.example"], TestCertificates.AlternativeNames(leaf).EnumerateDnsNames());
    }

    [Fact]
    public async Task The_context_serves_the_leafs_key_and_never_the_CAs()
    {
        var cache = new LeafCertificateCache(_ca);

        var context = await cache.GetAsync("api.example.com");

        Assert.True(context.TargetCertificate.HasPrivateKey);
        Assert.Equal("CN=api.example.com", context.TargetCertificate.Subject);

        // On Linux and macOS SslStream leaves a self-signed root out of the chain it sends, so this is usually
        // empty; clients verify against ca.crt either way.
        Assert.DoesNotContain(context.IntermediateCertificates, c => c.HasPrivateKey);
    }

    [Fact]
    public void A_CA_without_its_private_key_is_refused()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(_ca.RawData);

        Assert.Throws<ArgumentException>(() => new LeafCertificateCache(publicOnly));
    }

    private async Task<X509Certificate2> LeafFor(string host)
    {
        var cache = new LeafCertificateCache(_ca);
        return (await cache.GetAsync(host)).TargetCertificate;
    }
}
