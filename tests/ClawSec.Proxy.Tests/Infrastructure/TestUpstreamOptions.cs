using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace ClawSec.Proxy.Tests.Infrastructure;

/// <summary>How a <see cref="TestUpstream"/> serves: plain HTTP or HTTPS, where, and whether it reads bodies for the test.</summary>
internal sealed record TestUpstreamOptions
{
    /// <summary>
    /// When set, the upstream speaks HTTPS (ALPN h2 and http/1.1) with the certificate this returns for the
    /// name the client sent (SNI), or for null when it sent none.
    /// </summary>
    public Func<string?, X509Certificate2>? CertificateFor { get; init; }

    /// <summary>
    /// When false, requests are recorded without their bodies and the body is left unread for <c>respond</c>,
    /// so a large upload can be consumed as a stream instead of held in memory.
    /// </summary>
    public bool RecordBodies { get; init; } = true;

    /// <summary>The loopback address to listen on; 127.0.0.1 unless a test needs ::1.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;
}
