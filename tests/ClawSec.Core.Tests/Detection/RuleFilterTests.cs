using System.Text;
using System.Text.RegularExpressions;
using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection;

public sealed class RuleFilterTests
{
    private static Rule Rule(string pattern, string[] keywords, int secretGroup = 0, IReadOnlyList<RuleAllowlist>? allowlists = null, double? minEntropy = null) => new()
    {
        Name = "user_rule",
        ThreatType = ThreatType.Exfil,
        Regex = new Regex(pattern, RegexOptions.CultureInvariant),
        Keywords = keywords,
        IsSecret = true,
        SecretGroup = secretGroup,
        Allowlists = allowlists ?? [],
        MinEntropy = minEntropy,
        MaxMatchLength = 128,
    };

    [Fact]
    public void Secret_group_is_what_gets_redacted_and_the_finding_is_the_whole_match()
    {
        var scanner = new Scanner(new RulePack([Rule("token_name=(q[a-z0-9]{12})", ["token_name="], secretGroup: 1)]));

        var finding = Assert.Single(scanner.ScanText("set token_name=q1b2c3d4e5f6g now", Direction.Outbound));

        Assert.Equal("token_name=q1b2c3d4e5f6g", finding.Value);
        Assert.Equal(4, finding.Offset);
        Assert.Contains("token_name=q1b2…[REDACTED] now", finding.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Entropy_is_measured_on_the_secret_group_only()
    {
        // The name adds entropy of its own; on the whole match a repeated secret would pass.
        var scanner = new Scanner(new RulePack([Rule("password_field=([a-z0-9]{12})", ["password_field="], secretGroup: 1, minEntropy: 2.5)]));

        Assert.Empty(scanner.ScanText("password_field=abababababab", Direction.Outbound));
        Assert.Single(scanner.ScanText("password_field=k3j9x2m7q1w8", Direction.Outbound));
    }

    [Fact]
    public void First_non_empty_group_is_the_secret_when_no_group_is_named()
    {
        var scanner = new Scanner(new RulePack([Rule("(?:a=(x[0-9]{6})|b=(y[0-9]{6}))", ["a=", "b="], secretGroup: ClawSec.Core.Detection.Rule.FirstNonEmptyGroup)]));

        var finding = Assert.Single(scanner.ScanText("b=y123456", Direction.Outbound));

        Assert.Equal("b=y123456", finding.Value);
        Assert.Contains("b=y1…[REDACTED]", finding.Snippet, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AllowlistTarget.Secret, "^test", "key=test1234 in config", true)]
    [InlineData(AllowlistTarget.Secret, "^key=", "key=prod1234 in config", false)]
    [InlineData(AllowlistTarget.Match, "^key=", "key=prod1234 in config", true)]
    [InlineData(AllowlistTarget.Line, "in config$", "key=prod1234 in config", true)]
    [InlineData(AllowlistTarget.Line, "in config$", "key=prod1234 in config\nnext", true)]
    [InlineData(AllowlistTarget.Line, "^other", "other line\nkey=prod1234", false)]
    public void Allowlist_regexes_apply_to_their_target(AllowlistTarget target, string allowed, string text, bool dropped)
    {
        var allowlist = new RuleAllowlist { Target = target, Regexes = [new Regex(allowed, RegexOptions.Multiline)] };
        var scanner = new Scanner(new RulePack([Rule("key=([a-z0-9]{8})", ["key="], secretGroup: 1, allowlists: [allowlist])]));

        Assert.Equal(dropped ? 0 : 1, scanner.ScanText(text, Direction.Outbound).Count);
    }

    [Fact]
    public void Stopwords_drop_secrets_that_contain_them_ignoring_case()
    {
        var allowlist = new RuleAllowlist { Stopwords = ["sample"] };
        var scanner = new Scanner(new RulePack([Rule("key=([A-Za-z0-9]{10})", ["key="], secretGroup: 1, allowlists: [allowlist])]));

        Assert.Empty(scanner.ScanText("key=abSAMPLE12", Direction.Outbound));
        Assert.Single(scanner.ScanText("key=ab3x9q7w12", Direction.Outbound));
    }

    [Fact]
    public void Allowlist_that_requires_all_drops_only_when_regex_and_stopword_both_match()
    {
        var allowlist = new RuleAllowlist { Regexes = [new Regex("^ab")], Stopwords = ["zz"], RequireAll = true };
        var scanner = new Scanner(new RulePack([Rule("key=([a-z0-9]{8})", ["key="], secretGroup: 1, allowlists: [allowlist])]));

        Assert.Empty(scanner.ScanText("key=ab12zz34", Direction.Outbound));
        Assert.Single(scanner.ScanText("key=ab123456", Direction.Outbound));
        Assert.Single(scanner.ScanText("key=cd12zz34", Direction.Outbound));
    }

    [Fact]
    public void Lazy_regex_is_built_only_when_a_keyword_occurs()
    {
        var built = 0;
        var rule = new Rule
        {
            Name = "lazy",
            ThreatType = ThreatType.Exfil,
            RegexFactory = () =>
            {
                Interlocked.Increment(ref built);
                return new Regex("lazy-[0-9]{4}", RegexOptions.NonBacktracking);
            },
            Keywords = ["lazy-"],
        };
        var scanner = new Scanner(new RulePack([rule]));

        Assert.Empty(scanner.ScanText("nothing to see", Direction.Outbound));
        Assert.Equal(0, built);
        Assert.Single(scanner.ScanText("a lazy-1234 b", Direction.Outbound));
        Assert.Single(scanner.ScanText("a lazy-5678 b", Direction.Outbound));
        Assert.Equal(1, built);
    }

    [Fact]
    public void Stream_and_whole_text_agree_on_secret_groups_and_line_allowlists()
    {
        var allowlist = new RuleAllowlist { Target = AllowlistTarget.Line, Regexes = [new Regex("# test$")] };
        var scanner = new Scanner(new RulePack([Rule("key=([a-z0-9]{8})", ["key="], secretGroup: 1, allowlists: [allowlist])]));
        var text = string.Concat(Enumerable.Range(0, 300).Select(i => $"{Fakes.Filler(50, i)}\nkey={Fakes.Chars(Fakes.Lower + Fakes.Digits, 8, i)}{(i % 3 == 0 ? " # test" : "")}\n"));
        var bytes = Encoding.UTF8.GetBytes(text);

        foreach (var size in new[] { 1, 7, 333 })
        {
            var stream = scanner.CreateStream(Direction.Outbound, long.MaxValue);
            var found = new List<Finding>();
            for (var i = 0; i < bytes.Length; i += size)
            {
                stream.Append(bytes.AsSpan(i, Math.Min(size, bytes.Length - i)), found);
            }

            stream.Complete(found);
            Assert.Equal(200, found.Count);
            Assert.Equal(scanner.ScanText(text, Direction.Outbound), found);
        }
    }

    [Fact]
    public void Line_bounds_are_those_the_allowlist_target_documents()
    {
        Assert.Equal(124, Scanner.LineBefore);
        Assert.Equal(652, Scanner.LineAfter);
    }

    [Fact]
    public void Pack_refuses_a_rule_without_a_regex()
    {
        var error = Assert.Throws<ArgumentException>(() => new RulePack([new Rule { Name = "empty", ThreatType = ThreatType.Exfil }]));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws_secret_key")]
    [InlineData("db_connection_string")]
    [InlineData("generic_password_assignment")]
    public void Secret_of_a_group_rule_split_at_every_offset_across_two_chunks_is_found_once(string rule)
    {
        var scanner = new Scanner(RulePack.Default);
        var secret = rule switch
        {
            "aws_secret_key" => $"aws_secret_access_key = {Fakes.AwsSecretKey(1400)}",
            "db_connection_string" => $"postgres://app:{Fakes.Password(seed: 1401)}@db:5432/app",
            _ => $"DB_PASSWORD={Fakes.Password(seed: 1402)}",
        };
        var text = $"{Fakes.Filler(5000, 1403)}\n{secret}\n{Fakes.Filler(5000, 1404)}";
        var bytes = Encoding.UTF8.GetBytes(text);
        var at = Encoding.UTF8.GetByteCount(text[..text.IndexOf(secret, StringComparison.Ordinal)]);
        var whole = Assert.Single(scanner.ScanText(text, Direction.Outbound), f => f.Rule.Name == rule);

        for (var cut = at - 2; cut <= at + secret.Length + 2; cut++)
        {
            var stream = scanner.CreateStream(Direction.Outbound, long.MaxValue);
            var found = new List<Finding>();
            stream.Append(bytes.AsSpan(0, cut), found);
            stream.Append(bytes.AsSpan(cut), found);
            stream.Complete(found);

            Assert.Equal(whole, Assert.Single(found, f => f.Rule.Name == rule));
            Assert.Contains(Redactor.Marker, whole.Snippet, StringComparison.Ordinal);
        }
    }
}
