using static ClawSec.Core.Tests.Configuration.ConfigTestHelpers;

namespace ClawSec.Core.Tests.Configuration;

public sealed class ConfigLoaderFileErrorTests
{
    [Fact]
    public void Malformed_json_is_an_error_with_the_path_the_reason_and_the_line()
    {
        var message = FileFailure("{\n  \"proxy_port\": 8888\n  \"log_level\": \"INFO\"\n}");

        Assert.StartsWith("/tmp/x.json: not valid JSON: ", message);
        Assert.EndsWith("(line 3)", message);
        Assert.DoesNotContain("LineNumber", message);
    }

    [Fact]
    public void A_truncated_file_is_an_error()
    {
        Assert.StartsWith("/tmp/x.json: not valid JSON: ", FileFailure("""{"proxy_port": 8888"""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    public void An_empty_file_is_an_error(string json)
    {
        Assert.StartsWith("/tmp/x.json: not valid JSON: ", FileFailure(json));
    }

    [Theory]
    [InlineData("[1, 2]", "an array")]
    [InlineData("\"proxy_port\"", "\"proxy_port\"")]
    [InlineData("42", "42")]
    [InlineData("null", "null")]
    public void A_root_that_is_not_an_object_is_an_error(string json, string shown)
    {
        var message = FileFailure(json);

        Assert.StartsWith("/tmp/x.json: must hold a JSON object", message);
        Assert.EndsWith($"got {shown}", message);
    }

    [Fact]
    public void A_key_given_twice_is_an_error()
    {
        Assert.Equal("/tmp/x.json: proxy_port: given twice", FileFailure("""{"proxy_port": 1, "proxy_port": 2}"""));
    }

    [Fact]
    public void A_port_out_of_range_is_an_error_showing_the_range_and_the_value()
    {
        Assert.Equal(
            "/tmp/x.json: proxy_port: must be an integer from 1 to 65535, got 70000",
            FileFailure("""{"proxy_port": 70000}"""));
    }

    [Theory]
    [InlineData("proxy_port", "\"8888\"")]
    [InlineData("proxy_port", "0")]
    [InlineData("proxy_port", "-1")]
    [InlineData("proxy_port", "8888.5")]
    [InlineData("proxy_port", "null")]
    [InlineData("http_proxy_port", "65536")]
    [InlineData("gateway_local_port", "0")]
    [InlineData("gateway_target_port", "\"18789\"")]
    [InlineData("max_scan_bytes", "-1")]
    [InlineData("max_scan_bytes", "1.5")]
    [InlineData("max_scan_bytes", "\"16MiB\"")]
    public void A_value_that_is_not_an_integer_in_range_is_an_error(string key, string value)
    {
        var message = FileFailure($$"""{"{{key}}": {{value}}}""");

        Assert.StartsWith($"/tmp/x.json: {key}: must be an integer", message);
        Assert.EndsWith($"got {value}", message);
    }

    [Theory]
    [InlineData("enable_mitm", "\"true\"")]
    [InlineData("enable_http_proxy", "1")]
    [InlineData("enable_gateway_proxy", "null")]
    [InlineData("enable_ssh_watcher", "\"yes\"")]
    [InlineData("allow_unauthenticated_remote", "[]")]
    [InlineData("report_keys_to_own_provider", "{}")]
    public void A_boolean_key_takes_only_json_true_or_false(string key, string value)
    {
        Assert.StartsWith($"/tmp/x.json: {key}: must be true or false, got ", FileFailure($$"""{"{{key}}": {{value}}}"""));
    }

    [Theory]
    [InlineData("dedup_window_secs", "-1")]
    [InlineData("dedup_window_secs", "\"60\"")]
    [InlineData("dedup_window_secs", "1e300")]
    [InlineData("ssh_poll_interval", "0")]
    [InlineData("ssh_poll_interval", "-0.5")]
    [InlineData("ssh_poll_interval", "true")]
    public void A_number_key_takes_only_a_number_in_range(string key, string value)
    {
        Assert.StartsWith($"/tmp/x.json: {key}: must be a number", FileFailure($$"""{"{{key}}": {{value}}}"""));
    }

    [Fact]
    public void A_zero_dedup_window_turns_deduplication_off_and_is_allowed()
    {
        Assert.Equal(0, LoadFile("""{"dedup_window_secs": 0}""").Config.DedupWindowSecs);
    }

    [Theory]
    [InlineData("proxy_host", "\"\"")]
    [InlineData("proxy_host", "\"  \"")]
    [InlineData("proxy_host", "8")]
    [InlineData("log_dir", "\"\"")]
    [InlineData("log_dir", "null")]
    [InlineData("upstream_ca_file", "\"\"")]
    [InlineData("upstream_ca_file", "[\"/a.pem\"]")]
    [InlineData("gitleaks_config", "false")]
    public void A_string_key_takes_only_a_non_empty_string(string key, string value)
    {
        Assert.StartsWith($"/tmp/x.json: {key}: must be a non-empty string, got ", FileFailure($$"""{"{{key}}": {{value}}}"""));
    }

    [Theory]
    [InlineData("\"verbose\"")]
    [InlineData("\"\"")]
    [InlineData("20")]
    public void An_unknown_log_level_is_an_error_listing_the_levels(string value)
    {
        Assert.Equal(
            $"/tmp/x.json: log_level: must be one of DEBUG, INFO, WARNING, WARN, ERROR, got {value}",
            FileFailure($$"""{"log_level": {{value}}}"""));
    }

    [Theory]
    [InlineData("agentsecret")]
    [InlineData(":secret")]
    [InlineData(" ")]
    public void A_proxy_auth_that_is_not_user_colon_password_is_an_error_that_does_not_show_it(string value)
    {
        var message = FileFailure($$"""{"proxy_auth": "{{value}}"}""");

        Assert.StartsWith("/tmp/x.json: proxy_auth: ", message);
        Assert.DoesNotContain("secret", message);
    }

    [Fact]
    public void A_proxy_auth_with_an_empty_password_is_accepted()
    {
        Assert.Equal("agent:", LoadFile("""{"proxy_auth": "agent:"}""").Config.ProxyAuth);
    }

    [Fact]
    public void A_long_or_multi_line_value_is_shortened_and_escaped_in_the_message()
    {
        var value = "line one\\nline two " + new string('x', 500);

        var message = FileFailure($$"""{"log_level": "{{value}}"}""");

        Assert.Contains("got \"line one\\nline two x", message);
        Assert.True(message.Length < 200, message);
    }
}
