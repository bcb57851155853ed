using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClawSec.Proxy.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Tests.Infrastructure;

/// <summary>
/// A real WebSocket server (Kestrel's WebSocket middleware) on 127.0.0.1, over plain TCP or TLS with a certificate
/// from its own test CA. For each text message it receives it answers "echo: …" and then sends the reply the
/// test chose, so both directions carry what the test wants inspected.
/// </summary>
internal sealed class WebSocketUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebSocketUpstream(WebApplication app, int port, X509Certificate2? ca)
    {
        _app = app;
        Port = port;
        Ca = ca;
    }

    public int Port { get; }

    /// <summary>The CA that signed the TLS certificate (null for plain).</summary>
    public X509Certificate2? Ca { get; }

    public List<string> Received { get; } = [];

    public static async Task<WebSocketUpstream> StartAsync(bool tls, string reply, bool compression = false)
    {
        X509Certificate2? ca = null;
        X509Certificate2? serverCert = null;
        if (tls)
        {
            ca = CertificateAuthority.Create(TimeProvider.System);
            serverCert = new LeafCertificateIssuer(ca).Issue(CertificateHost.Parse("localhost"), DateTimeOffset.UtcNow);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (serverCert is not null)
            {
                listen.UseHttps(serverCert);
            }
        }));
        var app = builder.Build();
        app.UseWebSockets();
        WebSocketUpstream? self = null;
        app.Run(async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = compression });
            var buffer = new byte[64 * 1024];
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                var text = Encoding.UTF8.GetString(message.ToArray());
                lock (self!.Received)
                {
                    self.Received.Add(text);
                }

                await socket.SendAsync(Encoding.UTF8.GetBytes("echo: " + text), WebSocketMessageType.Text, true, CancellationToken.None);
                await socket.SendAsync(Encoding.UTF8.GetBytes(reply), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new WebSocketUpstream(app, new Uri(address).Port, ca);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
