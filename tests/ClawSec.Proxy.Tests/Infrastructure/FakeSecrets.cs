using System.Security.Cryptography;

namespace ClawSec.Proxy.Tests.Infrastructure;

/// <summary>Fake secrets of random characters in the real formats; never real keys.</summary>
internal static class FakeSecrets
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Base64 = Alnum + "+/";

    public static string Random(string alphabet, int length) =>
        string.Create(length, alphabet, (span, a) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = a[RandomNumberGenerator.GetInt32(a.Length)];
            }
        });

    public static string AnthropicKey() => "sk-ant-api03-" + Random(Alnum, 40) + "AA";

    public static string AwsAccessKey() => "AKIA" + Random(Base32Upper, 16);

    public static string GithubToken() => "ghp_" + Random(Alnum, 36);

    public static string NpmToken() => "npm_" + Random(Alnum, 35) + "7";

    public static string SshRsaPublicKey() => "ssh-rsa AAAAB3NzaC1yc2E" + Random(Base64, 64) + " agent@example";

    /// <summary>A PEM block whose body is random base64 lines (the body is the secret).</summary>
    public static (string Pem, string[] BodyLines) RsaPrivateKey()
    {
        var lines = Enumerable.Range(0, 4).Select(_ => Random(Base64, 64)).ToArray();
        return ("-----BEGIN RSA PRIVATE KEY-----\n" + string.Join("\n", lines) + "\n-----END RSA PRIVATE KEY-----", lines);
    }
}
