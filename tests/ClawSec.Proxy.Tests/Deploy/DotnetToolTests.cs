using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Deploy;

/// <summary>`dotnet pack` makes a .NET tool package that installs from a local folder and runs.</summary>
public sealed class DotnetToolTests
{
    [Fact]
    public async Task The_tool_package_installs_from_a_local_folder_and_runs()
    {
        var work = Directory.CreateTempSubdirectory("clawsec-tool").FullName;
        var feed = Path.Combine(work, "feed");
        var tools = Path.Combine(work, "tools");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

        var pack = await ProcessRunner.RunAsync("dotnet",
            ["pack", Path.Combine(RepositoryFiles.Root, "src", "ClawSec.Cli"), "-c", configuration, "--no-build", "-o", feed],
            timeout: TimeSpan.FromMinutes(3));
        Assert.True(pack.ExitCode == 0, pack.Stdout + pack.Stderr);
        Assert.Single(Directory.GetFiles(feed, "clawsec.*.nupkg"));

        var install = await ProcessRunner.RunAsync("dotnet",
            ["tool", "install", "clawsec", "--tool-path", tools, "--add-source", feed, "--prerelease", "--ignore-failed-sources"],
            timeout: TimeSpan.FromMinutes(3));
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);

        var tool = Path.Combine(tools, "clawsec");
        var version = await ProcessRunner.RunAsync(tool, ["--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("0.", version.Stdout.Trim());

        var config = Path.Combine(work, "config.json");
        File.WriteAllText(config, $$"""{"log_dir": "{{Path.Combine(work, "log")}}"}""");
        var status = await ProcessRunner.RunAsync(tool, ["status", "--config", config]);
        Assert.Equal(3, status.ExitCode);
        Assert.StartsWith("STOPPED", status.Stdout);
    }
}
