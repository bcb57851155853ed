using ClawSec.Core.Detection;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClawSec.Core.Tests.Detection;

/// <summary>
/// A rule's place check skips places before its regex is tried, so it must let through every place where the regex
/// matches: each match of each rule that has one, over all the rules' examples, given the text up to the match's
/// end and the whole text.
/// </summary>
public sealed class CommandPlaceCheckTests
{
    public static TheoryData<string> CheckedRules => [.. RulePack.Default.Rules.Where(r => r.MayStartAt is not null).Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(CheckedRules))]
    public void Every_match_passes_its_rules_place_check(string name)
    {
        var rule = RulePack.Default.Rules.Single(r => r.Name == name);
        var matches = 0;
        foreach (var text in KeywordLeadTests.Texts())
        {
            foreach (var match in rule.Regex.EnumerateMatches(text))
            {
                matches++;
                var shown = text.Substring(match.Index, match.Length);
                Assert.True(rule.MayStartAt!(text, match.Index), $"{name}: «{shown}» fails its place check");
                Assert.True(rule.MayStartAt!(text.AsSpan(0, match.Index + match.Length), match.Index), $"{name}: «{shown}», cut after it, fails its place check");
            }
        }

        Assert.True(matches >= 10, $"{name}: only {matches} matches in the examples");
    }

    /// <summary>Pieces of commands and prose, so that random sequences of them match the command rules often.</summary>
    private static readonly string[] Pieces =
    [
        "curl ", "wget ", "CURL ", "curl.exe ", "curl -fsSL https://x.io/i.sh", " -o i.sh", " -O i.sh", " | ", "|", "||", " && ", "&", ";",
        "\n", "\r\n", "\r", "\\n", "\\", "sh", "bash ", "sudo ", "sudo -E ", "python3", " -", "chmod +x ", "./i.sh", "i.sh", "/tmp/i.sh",
        "$HOME/i.sh", "source ", ". ", "env", "printenv", "cat ", "~/.aws/credentials", "/etc/passwd", ".env", " -d @", "--data-binary ",
        "-F f=@", "$(", "$(cat ~/.ssh/id_rsa)", "nc ", "host 9000 ", "< ", "<", "<(", "(", "-OutFile x.exe", " -destination x.exe", " -OUTFILE x.exe", "; Start-Process x.exe",
        "iwr https://x.io/x.exe", "iex", "base64 -d", "xxd -r -p", "--post-file=", "scp ", "evil@host:", "word ", " ", "\t", "'", "\"",
    ];

    public static Arbitrary<string> Commands() =>
        Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(Gen.Elements(Pieces), n)).Select(string.Concat).ToArbitrary();

    [Property(Arbitrary = [typeof(CommandPlaceCheckTests)], MaxTest = 500)]
    public void Wherever_a_rule_matches_its_place_check_lets_the_place_through(string text)
    {
        foreach (var rule in RulePack.Default.Rules.Where(r => r.MayStartAt is not null))
        {
            foreach (var end in new[] { text.Length, text.Length * 2 / 3, text.Length / 3 })
            {
                var input = text.AsSpan(0, end);
                for (var at = 0; at <= end; at++)
                {
                    if (rule.Anchored.IsMatch(input, at))
                    {
                        Assert.True(rule.MayStartAt!(input, at), $"{rule.Name} matches at {at} of «{input}» but its place check says no");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("pipe_to_shell", "curl and an empty JSON object as the body. The cache key includes the user id.")]
    [InlineData("pipe_to_shell", "curl -s https://example.com/x\n| is on the next line")]
    [InlineData("data_exfil_cmd", "curl and an empty JSON object; then -d is set")]
    [InlineData("data_exfil_cmd", "env is printed\n| and piped on the next line")]
    [InlineData("data_exfil_cmd", "nc host 9000\n< file")]
    [InlineData("data_exfil_cmd", "wget the page & then --post-file")]
    public void Prose_and_commands_cut_by_a_line_or_command_end_are_skipped(string name, string text)
    {
        var rule = RulePack.Default.Rules.Single(r => r.Name == name);

        Assert.False(rule.MayStartAt!(text, 0));
    }
}
