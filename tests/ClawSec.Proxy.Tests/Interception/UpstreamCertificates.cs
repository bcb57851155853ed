using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using ClawSec.Proxy.Tests.Certificates;

namespace ClawSec.Proxy.Tests.Interception;

/// <summary>
/// The certificates a test upstream serves: one per SNI name, made on first use and signed by a CA of the
/// test's own, so any host name the monitor maps to 127.0.0.1 can be served over HTTPS.
/// </summary>
internal sealed class UpstreamCertificates(X509Certificate2 ca) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<X509Certificate2>> _issued = new(StringComparer.OrdinalIgnoreCase);

    public X509Certificate2 Ca => ca;

    /// <summary>The certificate for an SNI name; a client that sent none connected by address, which is 127.0.0.1 here.</summary>
    public X509Certificate2 For(string? serverName) =>
        _issued.GetOrAdd(string.IsNullOrEmpty(serverName) ? "127.0.0.1" : serverName,
            name => new Lazy<X509Certificate2>(() => TestCertificates.IssueServerCertificate(ca, name))).Value;

    public void Dispose()
    {
        foreach (var issued in _issued.Values.Where(l => l.IsValueCreated))
        {
            issued.Value.Dispose();
        }

        ca.Dispose();
    }
}
