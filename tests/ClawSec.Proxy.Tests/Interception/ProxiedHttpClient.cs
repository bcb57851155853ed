using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using ClawSec.Proxy.Tests.Infrastructure;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>.NET's HttpClient through a monitor with a <see cref="WebProxy"/>, trusting one root alone.</summary>
internal static class ProxiedHttpClient
{
    /// <param name="root">The only certificate authority the client trusts for HTTPS.</param>
    /// <param name="sawCertificate">Told the host name and server certificate of every handshake that passed verification.</param>
    /// <param name="connections">Counts the client's TCP connections to the proxy.</param>
    /// <param name="http2">Speak HTTP/2 inside tunnels, and nothing else (plain HTTP to the proxy stays HTTP/1.1).</param>
    public static HttpClient Create(MonitorProcess monitor, X509Certificate2 root, Action<string, X509Certificate2>? sawCertificate = null,
        StrongBox<int>? connections = null, TimeSpan? timeout = null, bool http2 = false)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.Add(root);
        var handler = new SocketsHttpHandler
        {
            Proxy = new WebProxy(monitor.ProxyUrl),
            UseProxy = true,
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = policy,
                // The chain policy above already decided; this only watches what passed.
                RemoteCertificateValidationCallback = (sender, certificate, _, errors) =>
                {
                    if (errors == SslPolicyErrors.None && certificate is not null && sender is SslStream ssl)
                    {
                        sawCertificate?.Invoke(ssl.TargetHostName, X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                    }

                    return errors == SslPolicyErrors.None;
                },
            },
        };
        if (connections is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref connections.Value);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        var client = new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (http2)
        {
            client.DefaultRequestVersion = HttpVersion.Version20;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }
}
