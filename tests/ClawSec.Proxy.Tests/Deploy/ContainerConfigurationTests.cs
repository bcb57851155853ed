using System.Text.Json;
using System.Text.RegularExpressions;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Deploy;

/// <summary>
/// No container engine runs here, so the image's configuration is tested by running the monitor with exactly the
/// environment and arguments the Dockerfile gives it (only log_dir and the port are moved to test-owned values),
/// and the compose file is checked for what it promises.
/// </summary>
public sealed partial class ContainerConfigurationTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "deploy", "Dockerfile"));

    [Fact]
    public async Task The_image_environment_listens_on_all_interfaces_warns_and_passes_its_healthcheck()
    {
        var environment = DockerfileEnvironment();
        Assert.Equal("0.0.0.0", environment["CLAWSEC_PROXY_HOST"]);
        Assert.Equal("/data", environment["CLAWSEC_LOG_DIR"]);
        Assert.Equal(["start"], Exec("ENTRYPOINT")[1..]);
        Assert.Equal(["status"], Exec("HEALTHCHECK[^\\[]*CMD")[1..]);
        Assert.Matches("(?m)^USER app$", Dockerfile);
        Assert.Matches("(?m)^EXPOSE 8888$", Dockerfile);

        var logDir = MonitorProcess.NewLogDir();
        environment["CLAWSEC_LOG_DIR"] = logDir;
        await using var monitor = await MonitorProcess.StartAsync(logDir: logDir, environment: environment);

        Assert.True(FreePort.IsOpen(monitor.Port));
        Assert.Contains("WITHOUT authentication", monitor.Stderr);
        var health = await ProcessRunner.RunAsync("dotnet", [MonitorProcess.ClawSecDll, "status", "--config", monitor.ConfigPath], environment);
        Assert.Equal(0, health.ExitCode);
        Assert.Contains("0.0.0.0:" + monitor.Port, health.Stdout);
    }

    [Fact]
    public async Task Compose_publishes_on_host_loopback_and_keeps_data_on_a_named_volume()
    {
        const string ToJson = "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
        var result = await ProcessRunner.RunAsync("python3", ["-c", ToJson, Path.Combine(RepositoryFiles.Root, "deploy", "compose.yaml")]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var compose = JsonDocument.Parse(result.Stdout).RootElement;
        var clawsec = compose.GetProperty("services").GetProperty("clawsec");

        Assert.Equal(["127.0.0.1:8888:8888"], clawsec.GetProperty("ports").EnumerateArray().Select(p => p.GetString()));
        Assert.Contains("clawsec-data:/data", clawsec.GetProperty("volumes").EnumerateArray().Select(v => v.GetString()));
        Assert.True(compose.GetProperty("volumes").TryGetProperty("clawsec-data", out _));
        Assert.Equal("deploy/Dockerfile", clawsec.GetProperty("build").GetProperty("dockerfile").GetString());
        var agent = compose.GetProperty("services").GetProperty("agent").GetProperty("environment");
        Assert.Equal("http://clawsec:8888", agent.GetProperty("HTTPS_PROXY").GetString());
    }

    private static Dictionary<string, string> DockerfileEnvironment()
    {
        var joined = Dockerfile.Replace("\\\n", " ", StringComparison.Ordinal);
        var env = new Dictionary<string, string>();
        foreach (Match line in EnvLine().Matches(joined))
        {
            foreach (Match pair in EnvPair().Matches(line.Groups[1].Value))
            {
                env[pair.Groups[1].Value] = pair.Groups[2].Value;
            }
        }

        return env;
    }

    private static string[] Exec(string instruction)
    {
        var match = Regex.Match(Dockerfile, "(?m)^" + instruction + @"\s*(\[.*\])\s*$");
        Assert.True(match.Success, instruction + " in exec form");
        var args = JsonSerializer.Deserialize<string[]>(match.Groups[1].Value)!;
        Assert.Equal("/app/clawsec", args[0]);
        return args;
    }

    [GeneratedRegex(@"(?m)^ENV\s+(.+)$")]
    private static partial Regex EnvLine();

    [GeneratedRegex(@"([A-Z_]+)=(\S+)")]
    private static partial Regex EnvPair();
}
