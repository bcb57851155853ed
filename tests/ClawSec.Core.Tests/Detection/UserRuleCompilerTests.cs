using System.Text;
using System.Text.RegularExpressions;
using ClawSec.Core.Configuration;
using ClawSec.Core.Detection;

namespace ClawSec.Core.Tests.Detection;

public sealed class UserRuleCompilerTests
{
    private static UserRuleConfig Config(string regex, params string[] keywords) =>
        new() { Name = "acme_token", Regex = regex, Keywords = keywords };

    [Fact]
    public void Configured_fields_become_the_rule()
    {
        var rule = UserRuleCompiler.Compile(Config("acme_[a-z0-9]{16}", "ACME_") with
        {
            ThreatType = "EXFIL",
            Direction = "outbound",
            Severity = "critical",
            Description = "An ACME token.",
            Entropy = 3.5,
        });

        Assert.Equal("acme_token", rule.Name);
        Assert.Equal(ThreatType.Exfil, rule.ThreatType);
        Assert.Equal(Directions.Outbound, rule.AppliesTo);
        Assert.Equal(Severity.Critical, rule.Severity);
        Assert.Equal("An ACME token.", rule.Description);
        Assert.Equal(["acme_"], rule.Keywords);
        Assert.Equal(3.5, rule.MinEntropy);
        Assert.True(rule.IsSecret);
    }

    [Fact]
    public void Pattern_without_backtracking_constructs_runs_on_the_non_backtracking_engine()
    {
        var rule = UserRuleCompiler.Compile(Config("acme_[a-z0-9]{16}"));

        Assert.True(rule.Regex.Options.HasFlag(RegexOptions.NonBacktracking));
    }

    [Fact]
    public void Pattern_with_a_lookaround_backtracks_with_a_match_timeout()
    {
        var rule = UserRuleCompiler.Compile(Config("(?<![a-z])acme_(?=[0-9])[a-z0-9]{16}"));

        Assert.False(rule.Regex.Options.HasFlag(RegexOptions.NonBacktracking));
        Assert.Equal(UserRuleCompiler.MatchTimeout, rule.Regex.MatchTimeout);
    }

    [Fact]
    public void Catastrophic_pattern_cannot_stall_a_scan()
    {
        var scanner = new Scanner(new RulePack([UserRuleCompiler.Compile(Config(@"(a+)+\1$", "aaa"))]));
        var started = Environment.TickCount64;

        Assert.Empty(scanner.ScanText(new string('a', 5000) + "!", Direction.Outbound));
        Assert.True(Environment.TickCount64 - started < 5000);
    }

    [Fact]
    public void Nested_quantifiers_run_in_linear_time_on_the_non_backtracking_engine()
    {
        // An injection rule, so the repeated characters are not dropped as a placeholder.
        var scanner = new Scanner(new RulePack([UserRuleCompiler.Compile(Config("(a+)+b", "aaa") with { ThreatType = "INJECTION" })]));

        Assert.Empty(scanner.ScanText(new string('a', 20_000), Direction.Outbound));
        Assert.Single(scanner.ScanText(new string('a', 100) + "b", Direction.Outbound));
    }

    [Theory]
    [InlineData("regex", "acme_[", "regex: not a valid .NET regular expression")]
    [InlineData("threat_type", "EXFILTRATION", "threat_type: \"EXFILTRATION\"")]
    [InlineData("direction", "sideways", "direction: \"sideways\"")]
    [InlineData("severity", "urgent", "severity: \"urgent\"")]
    [InlineData("allowlist", "(", "allowlist[1]: not a valid .NET regular expression")]
    public void Error_names_the_rule_and_the_field(string field, string value, string expected)
    {
        var config = Config("acme_[a-z0-9]{16}");
        config = field switch
        {
            "regex" => config with { Regex = value },
            "threat_type" => config with { ThreatType = value },
            "direction" => config with { Direction = value },
            "severity" => config with { Severity = value },
            _ => config with { Allowlist = ["^ok$", value] },
        };

        var error = Assert.Throws<InvalidRuleException>(() => UserRuleCompiler.Compile(config));

        Assert.Equal("acme_token", error.RuleName);
        Assert.StartsWith("rule \"acme_token\": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keywords_are_lower_cased_and_matched_ignoring_case()
    {
        var rule = UserRuleCompiler.Compile(Config("(?i)acme_[a-z0-9]{16}", "ACME_", "Acme_", ""));
        var scanner = new Scanner(new RulePack([rule]));

        Assert.Equal(["acme_"], rule.Keywords);
        Assert.Single(scanner.ScanText("key ACME_q1w2e3r4t5y6u7i8 here", Direction.Outbound));
    }

    [Fact]
    public void Rule_without_keywords_scans_every_window_of_a_stream()
    {
        var scanner = new Scanner(new RulePack([UserRuleCompiler.Compile(Config("acme_[a-z0-9]{16}"))]));
        var text = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            text.Append(Fakes.Filler(3000, 900 + i)).Append(" acme_").Append(Fakes.Chars(Fakes.Lower + Fakes.Digits, 16, 950 + i)).Append(' ');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var stream = scanner.CreateStream(Direction.Outbound, long.MaxValue);
        var found = new List<Finding>();
        for (var i = 0; i < bytes.Length; i += 1000)
        {
            stream.Append(bytes.AsSpan(i, Math.Min(1000, bytes.Length - i)), found);
        }

        stream.Complete(found);

        Assert.Equal(40, found.Count);
        Assert.Equal(scanner.ScanText(text.ToString(), Direction.Outbound), found);
    }

    [Fact]
    public void Entropy_and_allowlist_drop_values()
    {
        var rule = UserRuleCompiler.Compile(Config("acme_[a-z0-9]{16}", "acme_") with { Entropy = 3.0, Allowlist = ["^acme_test"] });
        var scanner = new Scanner(new RulePack([rule]));

        Assert.Empty(scanner.ScanText("acme_abababababababab", Direction.Outbound));
        Assert.Empty(scanner.ScanText("acme_test9x8c7v6b5n4m", Direction.Outbound));
        Assert.Single(scanner.ScanText("acme_q9x8c7v6b5n4m3l2", Direction.Outbound));
    }

    [Fact]
    public void Group_named_secret_is_what_gets_filtered_and_redacted()
    {
        var rule = UserRuleCompiler.Compile(Config("acme_key=(?<secret>[a-z0-9]{16})", "acme_key=") with { Entropy = 3.0 });
        var scanner = new Scanner(new RulePack([rule]));

        var finding = Assert.Single(scanner.ScanText("acme_key=q9x8c7v6b5n4m3l2", Direction.Outbound));

        Assert.Equal("acme_key=q9x8c7v6b5n4m3l2", finding.Value);
        Assert.StartsWith("acme_key=q9x8…[REDACTED]", finding.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Injection_rules_are_not_redacted_and_apply_to_the_configured_direction()
    {
        var rule = UserRuleCompiler.Compile(Config("deploy --force", "deploy") with { ThreatType = "INJECTION", Direction = "inbound" });
        var scanner = new Scanner(new RulePack([rule]));

        Assert.False(rule.IsSecret);
        Assert.Empty(scanner.ScanText("run deploy --force now", Direction.Outbound));
        Assert.Equal("run deploy --force now", Assert.Single(scanner.ScanText("run deploy --force now", Direction.Inbound)).Snippet);
    }
}
