using System.Net;
using ClawSec.Proxy.Certificates;

namespace ClawSec.Proxy.Tests.Certificates;

public sealed class CertificateHostTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("API.Example.COM", "api.example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("_dmarc.example.com", "_dmarc.example.com")]
    [InlineData("localhost", "localhost")]
    [InlineData("127.1", "127.1")]
    public void A_DNS_name_is_lower_case_ASCII(string host, string expected)
    {
        var parsed = CertificateHost.Parse(host);

        Assert.Equal(expected, parsed.Key);
        Assert.Null(parsed.Address);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("10.1.2.3", "10.1.2.3")]
    [InlineData("::1", "::1")]
    [InlineData("[::1]", "::1")]
    [InlineData("2001:DB8:0:0::1", "2001:db8::1")]
    [InlineData("[2001:db8::0:1]", "2001:db8::1")]
    [InlineData("fe80::1%1", "fe80::1")]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1")]
    public void An_IP_literal_is_an_address_with_its_canonical_text(string host, string expected)
    {
        var parsed = CertificateHost.Parse(host);

        Assert.Equal(expected, parsed.Key);
        Assert.Equal(IPAddress.Parse(expected), parsed.Address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a..b")]
    [InlineData(".example.com")]
    [InlineData("exa mple.com")]
    [InlineData("example.com:443")]
    [InlineData("*.example.com")]
    [InlineData("example.com/path")]
    [InlineData("user@example.com")]
    [InlineData("[::1")]
    [InlineData("[]")]
    [InlineData("[example.com]")]
    [InlineData("::g")]
    [InlineData("exa\u0000mple.com")]
    public void Garbage_is_rejected(string host)
    {
        Assert.Throws<ArgumentException>(() => CertificateHost.Parse(host));
    }

    [Fact]
    public void A_label_longer_than_63_characters_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => CertificateHost.Parse(new string('a', 64) + ".example"));
        Assert.Equal(63 + ".example".Length, CertificateHost.Parse(new string('a', 63) + ".example").Key.Length);
    }

    [Fact]
    public void A_name_longer_than_253_characters_is_rejected()
    {
        var label = new string('a', 49);
        var fits = string.Join('.', Enumerable.Repeat(label, 5)) + ".abc";
        Assert.Equal(253, fits.Length);

        Assert.Equal(fits, CertificateHost.Parse(fits).Key);
        Assert.Throws<ArgumentException>(() => CertificateHost.Parse("a" + fits));
    }
}
