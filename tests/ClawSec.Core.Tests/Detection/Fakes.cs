using System.Text;

namespace ClawSec.Core.Tests.Detection;

/// <summary>
/// Fake secrets: random characters in the providers' formats, never real keys. Seeded, so every run (and every
/// failure) is the same.
/// </summary>
internal static class Fakes
{
    public const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public const string Lower = "abcdefghijklmnopqrstuvwxyz";
    public const string Digits = "0123456789";
    public const string Alnum = Upper + Lower + Digits;
    public const string KeyChars = Alnum + "_-";
    public const string Base64 = Alnum + "+/";
    public const string Base32 = Upper + "234567";
    public const string Hex = "0123456789abcdef";

    /// <summary>Random characters from the alphabet, with at least one letter and one digit when it has both.</summary>
    public static string Chars(string alphabet, int count, int seed)
    {
        var random = new Random(seed);
        while (true)
        {
            var chars = new char[count];
            for (var i = 0; i < count; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            var needsLetter = alphabet.Any(char.IsAsciiLetter);
            var needsDigit = alphabet.Any(char.IsAsciiDigit);
            if (count < 8 || ((!needsLetter || text.Any(char.IsAsciiLetter)) && (!needsDigit || text.Any(char.IsAsciiDigit))))
            {
                return text;
            }
        }
    }

    public static string AnthropicKey(int seed = 1) => "sk-ant-api03-" + Chars(KeyChars, 93, seed) + "AA";

    public static string OpenAiProjectKey(int seed = 2) => "sk-proj-" + Chars(KeyChars, 156, seed);

    public static string OpenAiServiceAccountKey(int seed = 3) => "sk-svcacct-" + Chars(KeyChars, 120, seed);

    public static string OpenAiAdminKey(int seed = 4) => "sk-admin-" + Chars(KeyChars, 120, seed);

    public static string OpenAiLegacyKey(int seed = 5) => "sk-" + Chars(Alnum, 20, seed) + "T3BlbkFJ" + Chars(Alnum, 20, seed + 1000);

    public static string OpenRouterKey(int seed = 6) => "sk-or-v1-" + Chars(Hex, 64, seed);

    public static string GroqKey(int seed = 7) => "gsk_" + Chars(Alnum, 52, seed);

    public static string XaiKey(int seed = 8) => "xai-" + Chars(Alnum, 80, seed);

    /// <summary>A key of the generic "sk-" + long alphanumeric shape other providers use.</summary>
    public static string GenericSkKey(int seed = 9) => "sk-" + Chars(Hex, 32, seed);

    public static string AwsAccessKey(string prefix = "AKIA", int seed = 10) => prefix + Chars(Base32, 16, seed);

    public static string PemBody(int lines, int seed) =>
        string.Join("\n", Enumerable.Range(0, lines).Select(i => Chars(Base64, 64, seed + i)));

    public static string PrivateKeyPem(string kind = "RSA PRIVATE KEY", int lines = 12, int seed = 11) =>
        $"-----BEGIN {kind}-----\n{PemBody(lines, seed)}\n-----END {kind}-----";

    public static string SshRsaPublicKey(int seed = 12) => "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + Chars(Base64, 300, seed);

    public static string SshEd25519PublicKey(int seed = 13) => "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + Chars(Base64, 43, seed);

    /// <summary>Ordinary JSON text of about the given length, with some non-ASCII characters.</summary>
    public static string Filler(int length, int seed)
    {
        string[] words =
        [
            "{\"role\":\"user\",", "\"content\":", "\"Summarise", "the", "quarterly", "report", "for", "the",
            "Asia-Pacific", "desk", "and", "list", "risks", "—", "café", "naïve", "日本語", "🙂", "once", "function",
            "sync", "task-antelope", "box-shadow", "remove", "exec", "evaluate", "\\n", "},", "[1,2,3]", "\"ok\"",
        ];
        var random = new Random(seed);
        var text = new StringBuilder(length + 32);
        while (text.Length < length)
        {
            text.Append(words[random.Next(words.Length)]).Append(' ');
        }

        text.Length = length;
        if (char.IsHighSurrogate(text[^1]))
        {
            text[^1] = ' ';
        }

        return text.ToString();
    }
}
