using ClawSec.Core.Configuration;
using static ClawSec.Core.Tests.Configuration.ConfigTestHelpers;

namespace ClawSec.Core.Tests.Configuration;

public sealed class ConfigLoaderEnvironmentTests
{
    [Fact]
    public void Every_key_is_read_from_its_environment_variable()
    {
        var result = LoadEnvironment(
            ("HOME", "/home/ada"),
            ("CLAWSEC_PROXY_HOST", "::1"),
            ("CLAWSEC_PROXY_PORT", "9000"),
            ("CLAWSEC_LOG_DIR", "~/clawsec"),
            ("CLAWSEC_LOG_LEVEL", "DEBUG"),
            ("CLAWSEC_MAX_SCAN_BYTES", "1048576"),
            ("CLAWSEC_ENABLE_MITM", "false"),
            ("CLAWSEC_DEDUP_WINDOW_SECS", "0"),
            ("CLAWSEC_ENABLE_HTTP_PROXY", "no"),
            ("CLAWSEC_ENABLE_GATEWAY_PROXY", "0"),
            ("CLAWSEC_GATEWAY_LOCAL_PORT", "2000"),
            ("CLAWSEC_GATEWAY_TARGET_PORT", "2001"),
            ("CLAWSEC_ENABLE_SSH_WATCHER", "False"),
            ("CLAWSEC_SSH_POLL_INTERVAL", "2.5"),
            ("CLAWSEC_UPSTREAM_CA_FILE", "/etc/ca.pem"),
            ("CLAWSEC_PROXY_AUTH", "agent:pw"),
            ("CLAWSEC_ALLOW_UNAUTHENTICATED_REMOTE", "yes"),
            ("CLAWSEC_RULES", """[{"name": "corp", "regex": "corp_[0-9]+", "severity": "LOW"}]"""),
            ("CLAWSEC_GITLEAKS_CONFIG", "/etc/gitleaks.toml"),
            ("CLAWSEC_REPORT_KEYS_TO_OWN_PROVIDER", "1"));

        Assert.Empty(result.Warnings);
        var config = result.Config;
        Assert.Equal(
            new ClawSecConfig
            {
                ProxyHost = "::1",
                ProxyPort = 9000,
                LogDir = "/home/ada/clawsec",
                LogLevel = LogLevelSetting.Debug,
                MaxScanBytes = 1048576,
                EnableMitm = false,
                DedupWindowSecs = 0,
                EnableHttpProxy = false,
                EnableGatewayProxy = false,
                GatewayLocalPort = 2000,
                GatewayTargetPort = 2001,
                EnableSshWatcher = false,
                SshPollInterval = 2.5,
                UpstreamCaFile = "/etc/ca.pem",
                ProxyAuth = "agent:pw",
                AllowUnauthenticatedRemote = true,
                Rules = config.Rules,
                GitleaksConfig = "/etc/gitleaks.toml",
                ReportKeysToOwnProvider = true,
            },
            config);
        var rule = Assert.Single(config.Rules);
        Assert.Equal(("corp", "corp_[0-9]+", "low"), (rule.Name, rule.Regex, rule.Severity));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData(" Yes ", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("NO", false)]
    public void Booleans_in_the_environment_accept_true_false_1_0_yes_no(string text, bool expected)
    {
        Assert.Equal(expected, LoadEnvironment(("CLAWSEC_ENABLE_MITM", text)).Config.EnableMitm);
    }

    [Fact]
    public void The_environment_overrides_the_file_key_by_key()
    {
        var config = LoadFile(
            """{"proxy_port": 8000, "log_level": "ERROR", "enable_mitm": true}""",
            ("CLAWSEC_PROXY_PORT", "9000"),
            ("CLAWSEC_ENABLE_MITM", "false")).Config;

        Assert.Equal(9000, config.ProxyPort);
        Assert.False(config.EnableMitm);
        Assert.Equal(LogLevelSetting.Error, config.LogLevel);
        Assert.Equal(FilePath, config.SourcePath);
    }

    [Fact]
    public void Rules_from_the_environment_replace_the_files_rules()
    {
        var config = LoadFile(
            """{"rules": [{"name": "from_file", "regex": "a"}]}""",
            ("CLAWSEC_RULES", """[{"name": "from_env", "regex": "b"}]""")).Config;

        Assert.Equal(["from_env"], config.Rules.Select(r => r.Name));
    }

    [Fact]
    public void The_alias_variable_overrides_the_files_port()
    {
        Assert.Equal(9001, LoadFile("""{"proxy_port": 8000}""", ("CLAWSEC_HTTP_PROXY_PORT", "9001")).Config.ProxyPort);
    }

    [Fact]
    public void The_environment_port_wins_over_a_file_alias_without_a_conflict()
    {
        Assert.Equal(9000, LoadFile("""{"http_proxy_port": 8000}""", ("CLAWSEC_PROXY_PORT", "9000")).Config.ProxyPort);
    }

    [Fact]
    public void Both_port_variables_may_be_set_when_they_agree()
    {
        Assert.Equal(
            9000,
            LoadEnvironment(("CLAWSEC_PROXY_PORT", "9000"), ("CLAWSEC_HTTP_PROXY_PORT", "9000")).Config.ProxyPort);
    }

    [Fact]
    public void Both_port_variables_with_different_values_are_an_error()
    {
        var message = EnvironmentFailure(("CLAWSEC_PROXY_PORT", "9000"), ("CLAWSEC_HTTP_PROXY_PORT", "9001"));

        Assert.StartsWith("environment variable CLAWSEC_PROXY_PORT: ", message);
        Assert.Contains("CLAWSEC_HTTP_PROXY_PORT", message);
    }

    [Fact]
    public void CLAWSEC_UPSTREAM_CA_sets_the_upstream_ca_file()
    {
        Assert.Equal("/etc/ca.pem", LoadEnvironment(("CLAWSEC_UPSTREAM_CA", "/etc/ca.pem")).Config.UpstreamCaFile);
    }

    [Fact]
    public void CLAWSEC_UPSTREAM_CA_FILE_wins_over_CLAWSEC_UPSTREAM_CA_with_a_warning_when_they_differ()
    {
        var result = LoadEnvironment(("CLAWSEC_UPSTREAM_CA", "/a.pem"), ("CLAWSEC_UPSTREAM_CA_FILE", "/b.pem"));

        Assert.Equal("/b.pem", result.Config.UpstreamCaFile);
        Assert.StartsWith("environment variable CLAWSEC_UPSTREAM_CA: ignored", Assert.Single(result.Warnings));
    }

    [Fact]
    public void A_port_that_is_not_a_number_is_an_error_naming_the_variable()
    {
        Assert.Equal(
            "environment variable CLAWSEC_PROXY_PORT: must be an integer from 1 to 65535, got \"abc\"",
            EnvironmentFailure(("CLAWSEC_PROXY_PORT", "abc")));
    }

    [Theory]
    [InlineData("CLAWSEC_PROXY_PORT", "70000")]
    [InlineData("CLAWSEC_PROXY_PORT", "80.5")]
    [InlineData("CLAWSEC_GATEWAY_LOCAL_PORT", "0x50")]
    [InlineData("CLAWSEC_MAX_SCAN_BYTES", "-5")]
    [InlineData("CLAWSEC_ENABLE_MITM", "maybe")]
    [InlineData("CLAWSEC_DEDUP_WINDOW_SECS", "NaN")]
    [InlineData("CLAWSEC_SSH_POLL_INTERVAL", "Infinity")]
    [InlineData("CLAWSEC_SSH_POLL_INTERVAL", "0")]
    [InlineData("CLAWSEC_LOG_LEVEL", "TRACE")]
    [InlineData("CLAWSEC_PROXY_HOST", "   ")]
    public void A_bad_value_in_a_variable_is_an_error_naming_the_variable(string variable, string value)
    {
        var message = EnvironmentFailure((variable, value));

        Assert.StartsWith($"environment variable {variable}: must be ", message);
        Assert.EndsWith($"got \"{value}\"", message);
    }

    [Fact]
    public void A_bad_value_in_a_variable_is_an_error_even_when_the_file_is_fine()
    {
        Assert.StartsWith(
            "environment variable CLAWSEC_LOG_LEVEL: ",
            FileFailure("""{"log_level": "INFO"}""", ("CLAWSEC_LOG_LEVEL", "LOUD")));
    }

    [Fact]
    public void Rules_that_are_not_json_are_an_error_naming_the_variable()
    {
        var message = EnvironmentFailure(("CLAWSEC_RULES", "[{name: x}]"));

        Assert.StartsWith("environment variable CLAWSEC_RULES: not valid JSON: ", message);
        Assert.EndsWith("(line 1)", message);
    }

    [Fact]
    public void An_empty_variable_is_ignored()
    {
        var result = LoadFile("""{"proxy_port": 8000}""", ("CLAWSEC_PROXY_PORT", ""), ("CLAWSEC_PROXY_HOST", ""));

        Assert.Equal(8000, result.Config.ProxyPort);
        Assert.Equal("127.0.0.1", result.Config.ProxyHost);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void An_unknown_CLAWSEC_variable_is_a_warning_with_a_suggestion()
    {
        var result = LoadEnvironment(("CLAWSEC_PROXY_PROT", "9000"));

        Assert.Equal(8888, result.Config.ProxyPort);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("environment variable CLAWSEC_PROXY_PROT: unknown, ignored", warning);
        Assert.Contains("CLAWSEC_PROXY_PORT", warning);
    }

    [Fact]
    public void A_lower_case_variable_is_not_taken_for_a_setting()
    {
        var result = LoadEnvironment(("CLAWSEC_log_level", "DEBUG"));

        Assert.Equal(LogLevelSetting.Info, result.Config.LogLevel);
        Assert.Contains("CLAWSEC_LOG_LEVEL", Assert.Single(result.Warnings));
    }

    [Fact]
    public void CLAWSEC_CONFIG_and_other_programs_variables_are_not_warned_about()
    {
        var result = LoadEnvironment(("CLAWSEC_CONFIG", "/etc/clawsec.json"), ("PATH", "/usr/bin"), ("HTTPS_PROXY", "x"));

        Assert.Empty(result.Warnings);
    }
}
