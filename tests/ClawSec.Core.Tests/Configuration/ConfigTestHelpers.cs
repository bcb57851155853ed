using ClawSec.Core.Configuration;

namespace ClawSec.Core.Tests.Configuration;

internal static class ConfigTestHelpers
{
    public const string FilePath = "/tmp/x.json";

    public static ConfigLoadResult LoadFile(string json, params (string Name, string Value)[] environment) =>
        ConfigLoader.Load(json, FilePath, Env(environment));

    public static ConfigLoadResult LoadEnvironment(params (string Name, string Value)[] environment) =>
        ConfigLoader.Load(null, null, Env(environment));

    public static Dictionary<string, string> Env(params (string Name, string Value)[] environment) =>
        environment.ToDictionary(e => e.Name, e => e.Value);

    /// <summary>The message of the <see cref="ConfigException"/> thrown, checked to be one line.</summary>
    public static string Failure(Func<ConfigLoadResult> load)
    {
        var exception = Assert.Throws<ConfigException>(() => load());
        Assert.DoesNotContain('\n', exception.Message);
        Assert.DoesNotContain('\r', exception.Message);
        return exception.Message;
    }

    public static string FileFailure(string json, params (string Name, string Value)[] environment) =>
        Failure(() => LoadFile(json, environment));

    public static string EnvironmentFailure(params (string Name, string Value)[] environment) =>
        Failure(() => LoadEnvironment(environment));
}
