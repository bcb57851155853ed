using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Tests.Infrastructure;

internal sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>A real HTTP or HTTPS server on 127.0.0.1 that records what reaches it and answers as the test says.</summary>
internal sealed class TestUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _address;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _headArrivals = new();

    private TestUpstream(WebApplication app, System.Net.IPAddress address, int port, string scheme, ConnectionCounter connections)
    {
        _address = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        _app = app;
        Connections = connections;
        Port = port;
        Scheme = scheme;
    }

    /// <summary>Where <c>respond</c> finds the request body the upstream already read (a byte array).</summary>
    public const string BodyKey = "body";

    public int Port { get; }
    public string Scheme { get; }
    public string Url => UrlFor(_address);
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>
    /// "METHOD path" of every request whose head reached the upstream, recorded before its body is read, so a
    /// request cut off in its body (which never makes it into <see cref="Requests"/>) is seen too.
    /// </summary>
    public ConcurrentQueue<string> Heads { get; } = new();

    /// <summary>The TCP connections the upstream has accepted and still has open.</summary>
    public ConnectionCounter Connections { get; }

    /// <summary>Completes when the head of a request for <paramref name="pathAndQuery"/> reaches the upstream.</summary>
    public Task HeadArrival(string pathAndQuery) => ArrivalOf(pathAndQuery).Task;

    /// <summary>This upstream's address under another host name (which the monitor must map to 127.0.0.1).</summary>
    public string UrlFor(string host) => $"{Scheme}://{host}:{Port}";

    /// <param name="respond">Writes the response after the request was recorded; default: 200 "ok".</param>
    /// <param name="options">HTTPS and body recording; default: plain HTTP, bodies recorded.</param>
    public static async Task<TestUpstream> StartAsync(Func<HttpContext, Task>? respond = null, TestUpstreamOptions? options = null)
    {
        options ??= new TestUpstreamOptions();
        var connections = new ConnectionCounter();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(options.Address, 0, listen =>
            {
                listen.Use(next => connection => connections.TrackAsync(() => next(connection)));
                if (options.CertificateFor is { } certificateFor)
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificateSelector = (_, name) => certificateFor(name);
                        // Kestrel's 10 s default would close a connection that idles before its handshake on its
                        // own, hiding whether the client (the proxy) ever closes it.
                        https.HandshakeTimeout = TimeSpan.FromMinutes(1);
                    });
                }
            });
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        TestUpstream? self = null;
        app.Run(async context =>
        {
            self!.RecordHead(context.Request.Method, context.Request.Path + context.Request.QueryString);
            using var body = new MemoryStream();
            if (options.RecordBodies)
            {
                await context.Request.Body.CopyToAsync(body);
            }

            self!.Requests.Enqueue(new ReceivedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body.ToArray()));
            context.Items[BodyKey] = body.ToArray();
            if (respond is null)
            {
                await context.Response.WriteAsync("ok");
            }
            else
            {
                await respond(context);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new TestUpstream(app, options.Address, new Uri(address).Port, options.CertificateFor is null ? "http" : "https", connections);
        return self;
    }

    private void RecordHead(string method, string pathAndQuery)
    {
        Heads.Enqueue(method + " " + pathAndQuery);
        ArrivalOf(pathAndQuery).TrySetResult();
    }

    private TaskCompletionSource ArrivalOf(string pathAndQuery) =>
        _headArrivals.GetOrAdd(pathAndQuery, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
