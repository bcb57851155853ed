using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.ThreatLog;

/// <summary>Detected secrets are redacted everywhere ClawSec writes: threat log, text log (DEBUG), stderr.</summary>
public sealed class SecretsOnDiskTests
{
    [Fact]
    public async Task No_secret_value_reaches_any_file_in_log_dir_or_stderr()
    {
        // The upstream echoes the body back, so every secret is seen going out and coming in.
        await using var upstream = await TestUpstream.StartAsync(async context =>
        {
            await context.Response.Body.WriteAsync((byte[])context.Items[TestUpstream.BodyKey]!);
        });
        var monitor = await MonitorProcess.StartAsync(new { log_level = "DEBUG" });
        var (pem, pemBody) = FakeSecrets.RsaPrivateKey();
        var secrets = new List<string> { FakeSecrets.AnthropicKey(), FakeSecrets.AnthropicKey(), FakeSecrets.AwsAccessKey(), FakeSecrets.AwsAccessKey() };
        try
        {
            var n = 0;
            foreach (var secret in secrets)
            {
                foreach (var target in new[] { upstream.Url, "http://unresolvable.invalid" })
                {
                    n++;
                    await Clients.CurlAsync(monitor.ProxyUrl, $"{target}/q{n}?key={secret}", "-H", $"X-Data: {secret}", "--data-binary", $"{{\"k\":\"{secret}\"}}");
                    await Clients.UrllibAsync(monitor.ProxyUrl, $"{target}/u{n}?key={secret}", new Dictionary<string, string> { ["X-Data"] = secret }, $"key={secret}");
                }
            }

            await Clients.CurlAsync(monitor.ProxyUrl, upstream.Url + "/pem", "--data-binary", pem);
            await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "pattern") == "private_key_pem" && ThreatLogFile.Get(r, "direction") == "inbound");
            await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "pattern") == "aws_access_key");
        }
        finally
        {
            await monitor.TerminateAsync();
            await monitor.DisposeAsync();
        }

        secrets.AddRange(pemBody);
        var files = Directory.GetFiles(monitor.LogDir, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith("threats.jsonl", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("clawsec.log", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{Path.GetFileName(file)} holds a secret");
            }
        }

        foreach (var secret in secrets)
        {
            Assert.False(monitor.Stderr.Contains(secret, StringComparison.Ordinal), "stderr holds a secret");
        }
    }
}
