using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace ClawSec.Proxy.Certificates;

/// <summary>
/// The local CA that signs the leaf certificates of intercepted hosts. Created on first start as
/// <c>ca.crt</c> + <c>ca.key</c> (ECDSA P-256: about a millisecond, so a first start stays fast) and reused after.
/// A CA that cannot be read is moved aside with a loud warning, never silently overwritten.
/// </summary>
internal sealed partial class CertificateAuthority : IDisposable
{
    public const string CertFileName = "ca.crt";
    public const string KeyFileName = "ca.key";

    private CertificateAuthority(X509Certificate2 certificate, bool created)
    {
        Certificate = certificate;
        Created = created;
    }

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>True when this start created a new CA (clients that trusted an earlier one will fail).</summary>
    public bool Created { get; }

    public static CertificateAuthority LoadOrCreate(string directory, ILogger logger, TimeProvider? time = null)
    {
        var certPath = Path.Combine(directory, CertFileName);
        var keyPath = Path.Combine(directory, KeyFileName);
        var certExists = File.Exists(certPath);
        var keyExists = File.Exists(keyPath);
        if (certExists && keyExists)
        {
            try
            {
                var loaded = X509Certificate2.CreateFromPemFile(certPath, keyPath);
                EnsureKeyIsPrivate(keyPath);
                return new CertificateAuthority(loaded, created: false);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                var aside = MoveAside(certPath, keyPath, time ?? TimeProvider.System);
                Log.Unreadable(logger, directory, aside, ex.Message);
            }
        }
        else if (certExists || keyExists)
        {
            var aside = MoveAside(certPath, keyPath, time ?? TimeProvider.System);
            Log.HalfPresent(logger, directory, aside);
        }

        var created = Create(time ?? TimeProvider.System);
        WriteFiles(created, certPath, keyPath);
        Log.Created(logger, certPath);
        return new CertificateAuthority(created, created: true);
    }

    public void Dispose() => Certificate.Dispose();

    internal static X509Certificate2 Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN=ClawSec Local CA ({Environment.MachineName}), O=ClawSec"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
    }

    private static void WriteFiles(X509Certificate2 ca, string certPath, string keyPath)
    {
        using var key = ca.GetECDsaPrivateKey()!;
        WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteAtomically(certPath, ca.ExportCertificatePem() + "\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>Writes to a temporary file created with the final mode, then renames it into place.</summary>
    private static void WriteAtomically(string path, string text, UnixFileMode mode)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temp, mode);
        File.Move(temp, path, overwrite: true);
    }

    private static void EnsureKeyIsPrivate(string keyPath)
    {
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if ((File.GetUnixFileMode(keyPath) & ~Private) != 0)
        {
            File.SetUnixFileMode(keyPath, Private);
        }
    }

    private static string MoveAside(string certPath, string keyPath, TimeProvider time)
    {
        var suffix = ".broken-" + time.GetUtcNow().ToString("yyyyMMddTHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var path in new[] { certPath, keyPath })
        {
            if (File.Exists(path))
            {
                File.Move(path, path + suffix, overwrite: true);
            }
        }

        return suffix;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning,
            "NEW CA CERTIFICATE created at {Path}. Clients that trusted an earlier ClawSec CA will fail TLS until they trust this one (see `clawsec env`).")]
        public static partial void Created(ILogger logger, string path);

        [LoggerMessage(2, LogLevel.Error,
            "The CA in {Directory} cannot be read ({Reason}); it was moved aside as ca.crt{Suffix} / ca.key{Suffix} and a NEW CA is being created.")]
        public static partial void Unreadable(ILogger logger, string directory, string suffix, string reason);

        [LoggerMessage(3, LogLevel.Error,
            "Only one of ca.crt and ca.key exists in {Directory}; it was moved aside with the suffix {Suffix} and a NEW CA is being created.")]
        public static partial void HalfPresent(ILogger logger, string directory, string suffix);
    }
}
