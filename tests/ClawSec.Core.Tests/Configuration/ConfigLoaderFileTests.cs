using ClawSec.Core.Configuration;
using static ClawSec.Core.Tests.Configuration.ConfigTestHelpers;

namespace ClawSec.Core.Tests.Configuration;

public sealed class ConfigLoaderFileTests
{
    [Fact]
    public void Without_a_file_or_variables_every_key_has_its_documented_default()
    {
        var result = ConfigLoader.Load(null, null, Env());

        var config = result.Config;
        Assert.Empty(result.Warnings);
        Assert.Equal("127.0.0.1", config.ProxyHost);
        Assert.Equal(8888, config.ProxyPort);
        Assert.Equal("/tmp/clawsec", config.LogDir);
        Assert.Equal(LogLevelSetting.Info, config.LogLevel);
        Assert.Equal(16 * 1024 * 1024, config.MaxScanBytes);
        Assert.True(config.EnableMitm);
        Assert.Equal(60, config.DedupWindowSecs);
        Assert.True(config.EnableHttpProxy);
        Assert.True(config.EnableGatewayProxy);
        Assert.Equal(18790, config.GatewayLocalPort);
        Assert.Equal(18789, config.GatewayTargetPort);
        Assert.True(config.EnableSshWatcher);
        Assert.Equal(10, config.SshPollInterval);
        Assert.Null(config.UpstreamCaFile);
        Assert.Null(config.ProxyAuth);
        Assert.False(config.AllowUnauthenticatedRemote);
        Assert.Empty(config.Rules);
        Assert.Null(config.GitleaksConfig);
        Assert.False(config.ReportKeysToOwnProvider);
        Assert.Null(config.SourcePath);
    }

    [Fact]
    public void An_empty_object_keeps_the_defaults_and_records_the_path()
    {
        var result = LoadFile("{}");

        Assert.Equal(new ClawSecConfig { SourcePath = FilePath }, result.Config);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Every_key_is_read_from_the_file()
    {
        var json = """
            {
              "proxy_host": "0.0.0.0",
              "proxy_port": 9999,
              "log_dir": "/var/lib/clawsec",
              "log_level": "debug",
              "max_scan_bytes": 0,
              "enable_mitm": false,
              "dedup_window_secs": 2.5,
              "enable_http_proxy": false,
              "enable_gateway_proxy": false,
              "gateway_local_port": 1000,
              "gateway_target_port": 1001,
              "enable_ssh_watcher": false,
              "ssh_poll_interval": 0.5,
              "upstream_ca_file": "/etc/corp-ca.pem",
              "proxy_auth": "agent:s3cret:with:colons",
              "allow_unauthenticated_remote": true,
              "rules": [{ "name": "corp_token", "regex": "corp_[A-Za-z0-9]{32}" }],
              "gitleaks_config": "/etc/gitleaks.toml",
              "report_keys_to_own_provider": true
            }
            """;

        var result = LoadFile(json);

        Assert.Empty(result.Warnings);
        Assert.Equal(
            new ClawSecConfig
            {
                ProxyHost = "0.0.0.0",
                ProxyPort = 9999,
                LogDir = "/var/lib/clawsec",
                LogLevel = LogLevelSetting.Debug,
                MaxScanBytes = 0,
                EnableMitm = false,
                DedupWindowSecs = 2.5,
                EnableHttpProxy = false,
                EnableGatewayProxy = false,
                GatewayLocalPort = 1000,
                GatewayTargetPort = 1001,
                EnableSshWatcher = false,
                SshPollInterval = 0.5,
                UpstreamCaFile = "/etc/corp-ca.pem",
                ProxyAuth = "agent:s3cret:with:colons",
                AllowUnauthenticatedRemote = true,
                Rules = result.Config.Rules,
                GitleaksConfig = "/etc/gitleaks.toml",
                ReportKeysToOwnProvider = true,
                SourcePath = FilePath,
            },
            result.Config);
        var rule = Assert.Single(result.Config.Rules);
        Assert.Equal("corp_token", rule.Name);
        Assert.Equal("corp_[A-Za-z0-9]{32}", rule.Regex);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        var json = """
            {
              // the port our agents expect
              "proxy_port": 3128, /* not 8888 */
            }
            """;

        Assert.Equal(3128, LoadFile(json).Config.ProxyPort);
    }

    [Fact]
    public void A_byte_order_mark_before_the_object_is_ignored()
    {
        Assert.Equal(3128, LoadFile("\uFEFF{\"proxy_port\": 3128}").Config.ProxyPort);
    }

    [Theory]
    [InlineData("WARNING", LogLevelSetting.Warning)]
    [InlineData("warn", LogLevelSetting.Warning)]
    [InlineData("Error", LogLevelSetting.Error)]
    [InlineData("INFO", LogLevelSetting.Info)]
    [InlineData("debug", LogLevelSetting.Debug)]
    public void Log_levels_are_read_ignoring_case_and_warn_means_warning(string text, LogLevelSetting expected)
    {
        Assert.Equal(expected, LoadFile($$"""{"log_level": "{{text}}"}""").Config.LogLevel);
    }

    [Fact]
    public void The_original_http_proxy_port_name_sets_the_proxy_port()
    {
        Assert.Equal(9000, LoadFile("""{"http_proxy_port": 9000}""").Config.ProxyPort);
    }

    [Fact]
    public void Both_port_names_may_be_given_when_they_agree()
    {
        Assert.Equal(9000, LoadFile("""{"http_proxy_port": 9000, "proxy_port": 9000}""").Config.ProxyPort);
    }

    [Fact]
    public void Both_port_names_with_different_values_are_an_error_naming_both()
    {
        var message = FileFailure("""{"proxy_port": 9000, "http_proxy_port": 9001}""");

        Assert.StartsWith("/tmp/x.json: proxy_port: ", message);
        Assert.Contains("http_proxy_port", message);
        Assert.Contains("9000", message);
        Assert.Contains("9001", message);
    }

    [Fact]
    public void A_tilde_in_log_dir_is_expanded_with_HOME_from_the_environment()
    {
        var result = LoadFile("""{"log_dir": "~/.clawsec"}""", ("HOME", "/home/ada/"));

        Assert.Equal("/home/ada/.clawsec", result.Config.LogDir);
    }

    [Fact]
    public void A_lone_tilde_in_log_dir_is_the_home_directory()
    {
        Assert.Equal("/home/ada", LoadFile("""{"log_dir": "~"}""", ("HOME", "/home/ada")).Config.LogDir);
    }

    [Fact]
    public void A_tilde_in_the_middle_of_log_dir_is_left_alone()
    {
        Assert.Equal("/srv/~backup", LoadFile("""{"log_dir": "/srv/~backup"}""", ("HOME", "/home/ada")).Config.LogDir);
    }

    [Fact]
    public void A_tilde_without_HOME_is_an_error()
    {
        var message = FileFailure("""{"log_dir": "~/.clawsec"}""");

        Assert.StartsWith("/tmp/x.json: log_dir: ", message);
        Assert.Contains("HOME", message);
    }

    [Fact]
    public void Another_users_home_is_not_expanded_but_refused()
    {
        Assert.StartsWith("/tmp/x.json: log_dir: ", FileFailure("""{"log_dir": "~bob/logs"}"""));
    }

    [Fact]
    public void A_relative_log_dir_is_kept_with_a_warning()
    {
        var result = LoadFile("""{"log_dir": "logs"}""");

        Assert.Equal("logs", result.Config.LogDir);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("/tmp/x.json: log_dir: ", warning);
    }

    [Fact]
    public void Other_paths_expand_a_tilde_too()
    {
        var config = LoadFile("""{"upstream_ca_file": "~/ca.pem", "gitleaks_config": "~/gitleaks.toml"}""", ("HOME", "/home/ada")).Config;

        Assert.Equal("/home/ada/ca.pem", config.UpstreamCaFile);
        Assert.Equal("/home/ada/gitleaks.toml", config.GitleaksConfig);
    }

    [Fact]
    public void Null_restores_a_key_whose_default_is_none()
    {
        var config = LoadFile("""{"upstream_ca_file": null, "proxy_auth": null, "gitleaks_config": null, "rules": null}""").Config;

        Assert.Null(config.UpstreamCaFile);
        Assert.Null(config.ProxyAuth);
        Assert.Null(config.GitleaksConfig);
        Assert.Empty(config.Rules);
    }

    [Fact]
    public void An_unknown_key_is_a_warning_with_a_suggestion_not_an_error()
    {
        var result = LoadFile("""{"proxy_prot": 9000, "log_level": "ERROR"}""");

        Assert.Equal(LogLevelSetting.Error, result.Config.LogLevel);
        Assert.Equal(8888, result.Config.ProxyPort);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("/tmp/x.json: unknown key \"proxy_prot\" ignored", warning);
        Assert.Contains("did you mean \"proxy_port\"", warning);
    }

    [Fact]
    public void An_unknown_key_far_from_any_known_one_gets_no_suggestion()
    {
        Assert.Equal(["/tmp/x.json: unknown key \"colour_scheme\" ignored"], LoadFile("""{"colour_scheme": "dark"}""").Warnings);
    }

    [Fact]
    public void Without_a_path_messages_name_the_configuration_file()
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.Load("""{"proxy_port": 0}""", null, Env()));

        Assert.StartsWith("configuration file: proxy_port: ", exception.Message);
    }
}
