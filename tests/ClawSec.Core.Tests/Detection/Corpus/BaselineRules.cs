using System.Text.RegularExpressions;
using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection.Corpus;

/// <summary>
/// The original tool's twelve case-insensitive regexes, written as naively as it had them, each scanning the whole
/// text: the baseline that the corpus score is compared with.
/// </summary>
internal static class BaselineRules
{
    private static readonly (string Name, Regex Regex)[] Rules =
    [
        ("ai_api_key", new(@"(?i)sk-[a-z0-9]{20,}")),
        ("aws_access_key", new(@"(?i)AKIA[0-9A-Z]{16}")),
        ("private_key_pem", new(@"(?i)-----BEGIN RSA PRIVATE KEY-----")),
        ("ssh_key_file", new(@"(?i)\.ssh/id_rsa")),
        ("unix_sensitive", new(@"(?i)/etc/(passwd|shadow|sudoers)")),
        ("dotenv_file", new(@"(?i)/\.env|\.aws/credentials")),
        ("ssh_pubkey", new(@"(?i)ssh-rsa [A-Za-z0-9+/]{40,}")),
        ("pipe_to_shell", new(@"(?i)curl.*\|\s*(ba)?sh")),
        ("shell_exec", new(@"(?i)(os\.system|subprocess|exec\()")),
        ("reverse_shell", new(@"(?i)(nc|ncat|netcat).*-e|/dev/tcp")),
        ("destructive_rm", new(@"(?i)rm\s+-rf\s+/")),
        ("ssh_key_inject", new(@"(?i)authorized_keys")),
    ];

    /// <summary>The names of the baseline rules that match the text; like the original, direction makes no difference.</summary>
    public static IReadOnlyList<string> Fired(string text) => [.. Rules.Where(r => r.Regex.IsMatch(text)).Select(r => r.Name)];
}
