using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.ThreatLog;

/// <summary>
/// Secrets sent over intercepted HTTPS (the WebSocket handshake's headers), inside wss:// frames and through the
/// gateway relay are recorded, and none of them reaches a file in log_dir or stderr.
/// </summary>
public sealed class SecretsAcrossProtocolsTests
{
    [Fact]
    public async Task Secrets_over_https_websocket_and_the_gateway_stay_off_disk()
    {
        var secrets = new[] { FakeSecrets.AnthropicKey(), FakeSecrets.AwsAccessKey(), FakeSecrets.AnthropicKey(), FakeSecrets.AwsAccessKey() };
        await using var tlsUpstream = await WebSocketUpstream.StartAsync(tls: true, "echo done, key " + secrets[3]);
        await using var gatewayTarget = await WebSocketUpstream.StartAsync(tls: false, "ok");
        var caFile = Path.Combine(Directory.CreateTempSubdirectory("clawsec-secrets").FullName, "upstream-ca.pem");
        File.WriteAllText(caFile, tlsUpstream.Ca!.ExportCertificatePem());
        var gatewayPort = FreePort.Next();
        var monitor = await MonitorProcess.StartAsync(new
        {
            log_level = "DEBUG",
            upstream_ca_file = caFile,
            enable_gateway_proxy = true,
            gateway_local_port = gatewayPort,
            gateway_target_port = gatewayTarget.Port,
        });
        try
        {
            var clawsecCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(monitor.LogDir, "ca.crt"));
            using (var wss = new ClientWebSocket())
            {
                wss.Options.Proxy = new WebProxy(monitor.ProxyUrl);
                wss.Options.SetRequestHeader("X-Api-Key", secrets[0]);
                wss.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(clawsecCa);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is not null && chain.Build(new X509Certificate2(certificate));
                };
                await wss.ConnectAsync(new Uri($"wss://localhost:{tlsUpstream.Port}/s"), CancellationToken.None);
                await wss.SendAsync(Encoding.UTF8.GetBytes("aws " + secrets[1]), WebSocketMessageType.Text, true, CancellationToken.None);
                await WebSocketMessages.ReceiveTextAsync(wss);
                await WebSocketMessages.ReceiveTextAsync(wss);
                await wss.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }

            using (var gateway = new ClientWebSocket())
            {
                await gateway.ConnectAsync(new Uri($"ws://127.0.0.1:{gatewayPort}/g"), CancellationToken.None);
                await gateway.SendAsync(Encoding.UTF8.GetBytes("{\"token\":\"" + secrets[2] + "\"}"), WebSocketMessageType.Text, true, CancellationToken.None);
                await WebSocketMessages.ReceiveTextAsync(gateway);
                await gateway.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }

            // The handshake travels over intercepted HTTPS and is recorded as wss, like the frames after it.
            await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "protocol") == "wss" && ThreatLogFile.Get(r, "snippet").Contains("X-Api-Key", StringComparison.Ordinal));
            await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "protocol") == "wss" && ThreatLogFile.Get(r, "pattern") == "aws_access_key" && ThreatLogFile.Get(r, "direction") == "outbound");
            await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "protocol") == "wss" && ThreatLogFile.Get(r, "direction") == "inbound");
            await monitor.Threats.WaitForAsync(r => ThreatLogFile.Get(r, "protocol") == "gateway");
        }
        finally
        {
            await monitor.TerminateAsync();
            await monitor.DisposeAsync();
        }

        foreach (var file in Directory.GetFiles(monitor.LogDir, "*", SearchOption.AllDirectories))
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{Path.GetFileName(file)} holds a secret");
            }
        }

        Assert.All(secrets, s => Assert.DoesNotContain(s, monitor.Stderr));
    }
}
