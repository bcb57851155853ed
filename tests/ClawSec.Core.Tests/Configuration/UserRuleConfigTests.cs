using ClawSec.Core.Configuration;
using static ClawSec.Core.Tests.Configuration.ConfigTestHelpers;

namespace ClawSec.Core.Tests.Configuration;

public sealed class UserRuleConfigTests
{
    private static string Rules(string rules) => $$"""{"rules": [{{rules}}]}""";

    [Fact]
    public void A_rule_with_every_field_is_read()
    {
        var json = Rules("""
            {
              "name": "corp_token_2",
              "regex": "corp_[A-Za-z0-9]{32}",
              "threat_type": "injection",
              "direction": "Outbound",
              "severity": "critical",
              "description": "Corp API token",
              "keywords": ["corp_"],
              "entropy": 3.5,
              "allowlist": ["corp_EXAMPLE", "corp_TEST"]
            }
            """);

        var rule = Assert.Single(LoadFile(json).Config.Rules);

        Assert.Equal(
            new UserRuleConfig
            {
                Name = "corp_token_2",
                Regex = "corp_[A-Za-z0-9]{32}",
                ThreatType = "INJECTION",
                Direction = "outbound",
                Severity = "critical",
                Description = "Corp API token",
                Keywords = rule.Keywords,
                Entropy = 3.5,
                Allowlist = rule.Allowlist,
            },
            rule);
        Assert.Equal(["corp_"], rule.Keywords);
        Assert.Equal(["corp_EXAMPLE", "corp_TEST"], rule.Allowlist);
    }

    [Fact]
    public void A_rule_with_only_a_name_and_a_regex_gets_the_defaults()
    {
        var rule = Assert.Single(LoadFile(Rules("""{"name": "r", "regex": "x+"}""")).Config.Rules);

        Assert.Equal(("EXFIL", "both", "high", "", null), (rule.ThreatType, rule.Direction, rule.Severity, rule.Description, rule.Entropy));
        Assert.Empty(rule.Keywords);
        Assert.Empty(rule.Allowlist);
    }

    [Fact]
    public void Rules_keep_their_order()
    {
        var rules = LoadFile(Rules("""{"name": "b", "regex": "b"}, {"name": "a", "regex": "a"}""")).Config.Rules;

        Assert.Equal(["b", "a"], rules.Select(r => r.Name));
    }

    [Fact]
    public void A_regex_that_does_not_compile_is_an_error_naming_the_rule()
    {
        var message = FileFailure(Rules("""{"name": "ok", "regex": "a"}, {"name": "broken", "regex": "(unclosed"}"""));

        Assert.StartsWith("/tmp/x.json: rules[1] \"broken\": regex: not a valid .NET regular expression: ", message);
    }

    [Fact]
    public void A_regex_error_from_the_environment_names_the_variable_and_the_rule()
    {
        var message = EnvironmentFailure(("CLAWSEC_RULES", """[{"name": "broken", "regex": "[z-a]"}]"""));

        Assert.StartsWith("environment variable CLAWSEC_RULES: rules[0] \"broken\": regex: ", message);
    }

    [Theory]
    [InlineData("""{"regex": "a"}""", "rules[0]: name: is required")]
    [InlineData("""{"name": "r"}""", "rules[0] \"r\": regex: is required")]
    [InlineData("""{"name": "r", "regex": ""}""", "rules[0] \"r\": regex: must be a non-empty string")]
    [InlineData("""{"name": "My-Rule", "regex": "a"}""", "rules[0]: name: must be lower-case letters, digits and _ only, got \"My-Rule\"")]
    [InlineData("""{"name": "", "regex": "a"}""", "rules[0]: name: must be lower-case letters")]
    [InlineData("""{"name": 7, "regex": "a"}""", "rules[0]: name: must be a string, got 7")]
    [InlineData("""{"name": "r", "regex": "a", "threat_type": "SSH_CONNECT"}""", "rules[0] \"r\": threat_type: must be one of EXFIL, INJECTION")]
    [InlineData("""{"name": "r", "regex": "a", "direction": "sideways"}""", "rules[0] \"r\": direction: must be one of outbound, inbound, both")]
    [InlineData("""{"name": "r", "regex": "a", "severity": "severe"}""", "rules[0] \"r\": severity: must be one of info, low, medium, high, critical")]
    [InlineData("""{"name": "r", "regex": "a", "keywords": "corp"}""", "rules[0] \"r\": keywords: must be an array of strings")]
    [InlineData("""{"name": "r", "regex": "a", "keywords": ["a", 1]}""", "rules[0] \"r\": keywords[1]: must be a string, got 1")]
    [InlineData("""{"name": "r", "regex": "a", "allowlist": [null]}""", "rules[0] \"r\": allowlist[0]: must be a string, got null")]
    [InlineData("""{"name": "r", "regex": "a", "entropy": -1}""", "rules[0] \"r\": entropy: must be a number at least 0, got -1")]
    [InlineData("""{"name": "r", "regex": "a", "description": 5}""", "rules[0] \"r\": description: must be a string")]
    [InlineData("""{"name": "r", "regex": "a", "name": "s"}""", "rules[0]: name: given twice")]
    [InlineData("\"r\"", "rules[0]: must be an object, got \"r\"")]
    public void A_bad_rule_is_an_error_naming_the_rule_and_the_field(string rule, string expected)
    {
        Assert.StartsWith($"/tmp/x.json: {expected}", FileFailure(Rules(rule)));
    }

    [Fact]
    public void Rules_that_are_not_an_array_are_an_error()
    {
        Assert.Equal("/tmp/x.json: rules: must be an array of rule objects, got an object", FileFailure("""{"rules": {}}"""));
    }

    [Fact]
    public void Two_rules_with_one_name_are_an_error()
    {
        var message = FileFailure(Rules("""{"name": "r", "regex": "a"}, {"name": "r", "regex": "b"}"""));

        Assert.Equal("/tmp/x.json: rules[1]: name: \"r\" is already the name of rules[0]", message);
    }

    [Fact]
    public void An_unknown_key_in_a_rule_is_a_warning()
    {
        var result = LoadFile(Rules("""{"name": "r", "regexp": "b", "regex": "a"}"""));

        Assert.Single(result.Config.Rules);
        Assert.Equal(["/tmp/x.json: rules[0]: unknown key \"regexp\" ignored (did you mean \"regex\"?)"], result.Warnings);
    }

    [Fact]
    public void Null_optional_fields_mean_the_defaults()
    {
        var rule = Assert.Single(LoadFile(Rules("""{"name": "r", "regex": "a", "severity": null, "entropy": null}""")).Config.Rules);

        Assert.Equal("high", rule.Severity);
        Assert.Null(rule.Entropy);
    }
}
