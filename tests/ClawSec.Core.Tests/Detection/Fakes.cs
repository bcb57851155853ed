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

    /// <summary>A 40-character AWS secret access key.</summary>
    public static string AwsSecretKey(int seed = 14) => Chars(Base64, 40, seed);

    public static string GithubToken(string prefix = "ghp_", int seed = 15) => prefix + Chars(Alnum, 36, seed);

    public static string GithubFineGrainedToken(int seed = 16) => "github_pat_" + Chars(Alnum, 22, seed) + "_" + Chars(Alnum, 59, seed + 1);

    public static string GitlabToken(int seed = 17) => "glpat-" + Chars(Alnum + "_-", 20, seed);

    public static string SlackBotToken(int seed = 18) =>
        $"xoxb-{Chars(Digits, 12, seed)}-{Chars(Digits, 13, seed + 1)}-{Chars(Alnum, 24, seed + 2)}";

    public static string SlackUserToken(int seed = 19) =>
        $"xoxp-{Chars(Digits, 12, seed)}-{Chars(Digits, 12, seed + 1)}-{Chars(Digits, 13, seed + 2)}-{Chars(Hex, 32, seed + 3)}";

    public static string SlackWebhook(int seed = 20) =>
        $"https://hooks.slack.com/services/T{Chars(Upper + Digits, 8, seed)}/B{Chars(Upper + Digits, 10, seed + 1)}/{Chars(Alnum, 24, seed + 2)}";

    public static string GoogleApiKey(int seed = 21) => "AIza" + Chars(Alnum + "_-", 35, seed);

    public static string StripeKey(string prefix = "sk_live_", int seed = 22) => prefix + Chars(Alnum, 99, seed);

    public static string HuggingfaceToken(int seed = 23) => "hf_" + Chars(Upper + Lower, 34, seed);

    public static string NpmToken(int seed = 24) => "npm_" + Chars(Alnum, 36, seed);

    public static string PypiToken(int seed = 25) => "pypi-AgEIcHlwaS5vcmc" + Chars(Alnum + "_-", 160, seed);

    public static string SendgridKey(int seed = 26) => "SG." + Chars(Alnum + "_-", 22, seed) + "." + Chars(Alnum + "_-", 43, seed + 1);

    public static string TelegramBotToken(int seed = 27) => Chars(Digits, 10, seed) + ":AA" + Chars(Alnum + "_-", 33, seed + 1);

    /// <summary>A JWT with a real JSON header ({"alg":"HS256","typ":"JWT"}) and random payload and signature parts.</summary>
    public static string Jwt(int seed = 28) =>
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + Chars(Alnum + "_-", 80, seed) + "." + Chars(Alnum + "_-", 43, seed + 1);

    public static string AzureStorageKey(int seed = 29) => Chars(Base64, 86, seed) + "==";

    /// <summary>A password of random printable characters, as a password manager makes them.</summary>
    public static string Password(int length = 20, int seed = 30) => Chars(Alnum + "!#%^*-_", length, seed);

    /// <summary>A Google Cloud service-account key file, JSON-escaped key and all.</summary>
    public static string GcpServiceAccount(int seed = 31) =>
        "{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo-proj-4412\",\n"
        + $"  \"private_key_id\": \"{Chars(Hex, 40, seed)}\",\n"
        + $"  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{PemBody(4, seed + 1).Replace("\n", "\\n", StringComparison.Ordinal)}\\n-----END PRIVATE KEY-----\\n\",\n"
        + "  \"client_email\": \"svc@demo-proj-4412.iam.gserviceaccount.com\"\n}";

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
