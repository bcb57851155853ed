using System.Net;
using System.Security.Cryptography.X509Certificates;
using ClawSec.Proxy.Certificates;
using ClawSec.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Tests.Lifecycle;

/// <summary><c>clawsec env</c>: a shell that evals it sends curl and Python through ClawSec, HTTPS included.</summary>
public sealed class EnvCommandTests
{
    [Fact]
    public async Task Curl_and_urllib_in_a_shell_that_evals_clawsec_env_are_intercepted()
    {
        var upstreamCa = CertificateAuthority.Create(TimeProvider.System);
        await using var upstream = await StartHttpsUpstreamAsync(
            new LeafCertificateIssuer(upstreamCa).Issue(CertificateHost.Parse("upstream.test"), DateTimeOffset.UtcNow));
        var caFile = Path.Combine(Directory.CreateTempSubdirectory("clawsec-env").FullName, "upstream-ca.pem");
        File.WriteAllText(caFile, upstreamCa.ExportCertificatePem());
        await using var monitor = await MonitorProcess.StartAsync(new
        {
            upstream_ca_file = caFile,
            resolve = new Dictionary<string, string> { ["upstream.test"] = "127.0.0.1" },
        });

        var env = await monitor.CliAsync("env");
        Assert.Equal(0, env.ExitCode);
        Assert.Contains($"export HTTPS_PROXY='http://127.0.0.1:{monitor.Port}'", env.Stdout);
        Assert.True(File.Exists(Path.Combine(monitor.LogDir, "ca-bundle.pem")));

        var url = $"https://upstream.test:{upstream.Port}/data";
        var script = $"""
            eval "$(dotnet '{MonitorProcess.ClawSecDll}' env --config '{monitor.ConfigPath}')"
            curl -sS "{url}?via=curl&f=/etc/passwd"
            echo
            python3 -c 'import urllib.request; print(urllib.request.urlopen("{url}?via=urllib&f=/etc/shadow").read().decode())'
            """;
        var result = await ProcessRunner.RunAsync("bash", ["-c", script]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["secure ok", "secure ok"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var dest = $"upstream.test:{upstream.Port}";
        await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == dest && ThreatLogFile.Get(r, "snippet").Contains("via=curl"));
        await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "dest") == dest && ThreatLogFile.Get(r, "snippet").Contains("via=urllib"));
    }

    private static async Task<WebApplication> StartHttpsUpstreamAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync("secure ok"));
        await app.StartAsync();
        return app;
    }
}

internal static class WebApplicationPortExtensions
{
    extension(WebApplication app)
    {
        public int Port => new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
    }
}
