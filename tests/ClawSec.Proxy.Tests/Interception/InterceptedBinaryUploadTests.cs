using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// A binary upload is scanned as text to its end: a secret deep inside megabytes of random bytes, and one across
/// the first 32 KiB of a body read from an intercepted tunnel, are found, over plain HTTP and through interception,
/// and the upstream gets every byte.
/// </summary>
[Collection(InterceptionCollection.Name)]
public sealed class InterceptedBinaryUploadTests(InterceptionFixture fixture)
{
    [Theory]
    [InlineData(false, 3 * 1024 * 1024 + 5)]
    [InlineData(true, 3 * 1024 * 1024 + 5)]
    [InlineData(true, 32 * 1024 - 20)]
    public async Task A_secret_inside_megabytes_of_random_bytes_is_found_and_the_body_arrives_whole(bool https, int offset)
    {
        var host = fixture.NewHost();
        var upstream = https ? fixture.Https : fixture.Http;
        var key = FakeSecrets.AnthropicKey();
        var body = new byte[4 * 1024 * 1024];
        new Random(offset).NextBytes(body);

        // Spaces around the key: random bytes next to it could otherwise read as more of it.
        var marked = Encoding.ASCII.GetBytes(" " + key + " ");
        marked.CopyTo(body, offset);
        using var client = ProxiedHttpClient.Create(fixture.Monitor, fixture.Ca);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await client.PostAsync(upstream.UrlFor(host) + "/upload", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = $"{body.Length.ToString(CultureInfo.InvariantCulture)} {Convert.ToHexStringLower(SHA256.HashData(body))}";
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
        var record = await fixture.RecordAsync($"{host}:{upstream.Port}", "ai_api_key");
        Assert.Equal("outbound", ThreatLogFile.Get(record, "direction"));
        Assert.Equal(https ? "https" : "http", ThreatLogFile.Get(record, "protocol"));
    }
}
