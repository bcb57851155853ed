using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Forwarding;

/// <summary>
/// Verifies upstream TLS certificates: the system store (which honours SSL_CERT_FILE/SSL_CERT_DIR), plus an
/// optional PEM bundle (<c>upstream_ca_file</c>). No online revocation or certificate download, so it works
/// offline. A rejected certificate is never accepted silently: the reason is kept for the client's 502 and logged.
/// </summary>
internal sealed partial class UpstreamTrust
{
    private readonly X509Certificate2Collection _extraRoots;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, string> _lastFailure = new(StringComparer.OrdinalIgnoreCase);

    public UpstreamTrust(X509Certificate2Collection extraRoots, ILogger<UpstreamTrust> logger)
    {
        _extraRoots = extraRoots;
        _logger = logger;
    }

    /// <summary>Loads the extra roots from a PEM bundle; throws with a clear message when it cannot.</summary>
    public static X509Certificate2Collection LoadBundle(string? path)
    {
        var roots = new X509Certificate2Collection();
        if (string.IsNullOrEmpty(path))
        {
            return roots;
        }

        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"upstream_ca_file {path}: {ex.Message}", ex);
        }

        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"upstream_ca_file {path}: no certificate found in it");
        }

        return roots;
    }

    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        RemoteCertificateValidationCallback = Validate,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    /// <summary>
    /// Builds one chain against the system store, so that the store is loaded before the first upstream handshake
    /// needs it (about 0.1 s, which the agent's first HTTPS request would otherwise wait for). Its result is not used.
    /// </summary>
    public static void PreloadSystemStore(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.Build(certificate);
    }

    /// <summary>Why the last handshake with this host was refused, if it was.</summary>
    public string? FailureFor(string host) => _lastFailure.TryGetValue(host, out var reason) ? reason : null;

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var host = sender switch
        {
            SslStream ssl => ssl.TargetHostName,
            HttpRequestMessage request => request.RequestUri?.Host ?? "?",
            _ => "?",
        };
        if (errors == SslPolicyErrors.None)
        {
            _lastFailure.TryRemove(host, out _);
            return true;
        }

        if (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null && _extraRoots.Count > 0 && ChainsToExtraRoot(certificate, chain))
        {
            _lastFailure.TryRemove(host, out _);
            return true;
        }

        var reason = Describe(errors, chain);
        _lastFailure[host] = reason;
        Log.Rejected(_logger, host, reason);
        return false;
    }

    private bool ChainsToExtraRoot(X509Certificate certificate, X509Chain? original)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        if (original is not null)
        {
            foreach (var element in original.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static string Describe(SslPolicyErrors errors, X509Chain? chain)
    {
        var parts = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            parts.Add("certificate does not match the host name");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            parts.Add("no certificate presented");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var status = chain?.ChainStatus.Select(s => s.Status.ToString()).Distinct().ToArray() ?? [];
            parts.Add("certificate not trusted" + (status.Length > 0 ? " (" + string.Join(", ", status) + ")" : ""));
        }

        return string.Join("; ", parts);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Upstream TLS certificate of {Host} rejected: {Reason}")]
        public static partial void Rejected(ILogger logger, string host, string reason);
    }
}
