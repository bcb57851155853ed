using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace ClawSec.Proxy.Tunneling;

/// <summary>
/// Tells Kestrel that the connection it now reads is TLS and which protocol ALPN chose, so it speaks HTTP/2
/// when the client asked for <c>h2</c>.
/// </summary>
internal sealed class TlsConnectionFeature(SslStream stream) : ITlsConnectionFeature, ITlsApplicationProtocolFeature
{
    public X509Certificate2? ClientCertificate
    {
        get => null;
        set => throw new NotSupportedException();
    }

    public ReadOnlyMemory<byte> ApplicationProtocol { get; } = stream.NegotiatedApplicationProtocol.Protocol;

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
}
