using ClawSec.Core.Configuration;
using static ClawSec.Core.Tests.Configuration.ConfigTestHelpers;

namespace ClawSec.Core.Tests.Configuration;

/// <summary>The keys the proxy engine added: resolve, timeouts and limits.</summary>
public sealed class ConfigLoaderEngineKeysTests
{
    [Fact]
    public void Engine_keys_have_defaults_sized_for_llm_traffic()
    {
        var config = ConfigLoader.Load(null, null, Env()).Config;

        Assert.Empty(config.Resolve);
        Assert.Equal(15, config.UpstreamConnectTimeoutSecs);
        Assert.Equal(3600, config.UpstreamActivityTimeoutSecs);
        Assert.Equal(120, config.ClientIdleTimeoutSecs);
        Assert.Equal(30, config.RequestHeadersTimeoutSecs);
        Assert.Equal(64 * 1024, config.MaxRequestHeadersBytes);
        Assert.Equal(10_000, config.MaxConnections);
        Assert.Equal(22, config.SshPort);
    }

    [Fact]
    public void Engine_keys_are_read_from_the_file()
    {
        var config = LoadFile("""
            {"resolve": {"api.example.com": "127.0.0.1", "v6.example.com": "::1"},
             "upstream_connect_timeout_secs": 2, "upstream_activity_timeout_secs": 600, "client_idle_timeout_secs": 5,
             "request_headers_timeout_secs": 7, "max_request_headers_bytes": 8192, "max_connections": 50, "ssh_port": 2222}
            """).Config;

        Assert.Equal("127.0.0.1", config.Resolve["API.example.com"]);
        Assert.Equal("::1", config.Resolve["v6.example.com"]);
        Assert.Equal(2, config.UpstreamConnectTimeoutSecs);
        Assert.Equal(600, config.UpstreamActivityTimeoutSecs);
        Assert.Equal(5, config.ClientIdleTimeoutSecs);
        Assert.Equal(7, config.RequestHeadersTimeoutSecs);
        Assert.Equal(8192, config.MaxRequestHeadersBytes);
        Assert.Equal(50, config.MaxConnections);
        Assert.Equal(2222, config.SshPort);
    }

    [Fact]
    public void Resolve_from_the_environment_is_json()
    {
        var config = ConfigLoader.Load(null, null, Env(("CLAWSEC_RESOLVE", """{"a.test": "127.0.0.2"}"""))).Config;

        Assert.Equal("127.0.0.2", config.Resolve["a.test"]);
    }

    [Theory]
    [InlineData("""{"resolve": {"a.test": "not-an-ip"}}""", "resolve")]
    [InlineData("""{"resolve": ["a.test"]}""", "resolve")]
    [InlineData("""{"max_connections": 0}""", "max_connections")]
    [InlineData("""{"upstream_activity_timeout_secs": 0}""", "upstream_activity_timeout_secs")]
    public void Bad_engine_values_are_one_line_errors(string json, string key)
    {
        var error = Assert.Throws<ConfigException>(() => LoadFile(json));

        Assert.Contains(key, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
