using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// A certificate authority made in the test (<see cref="CertificateRequest"/>, ECDSA P-256, valid one day) and a server
/// certificate it issued for 127.0.0.1 and localhost, for HTTPS servers no system store trusts.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(X509Certificate2 root, X509Certificate2 server)
    {
        Root = root;
        ServerCertificate = server;
    }

    /// <summary>The CA's certificate (with its key, which only this class uses).</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The server certificate, with its private key: what Kestrel serves.</summary>
    public X509Certificate2 ServerCertificate { get; }

    public static TestCertificateAuthority Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=McpAuth test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var root = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var issued = request.Create(root, now.AddMinutes(-10), now.AddHours(12), RandomNumberGenerator.GetBytes(16));
        // Kestrel on Linux takes an ephemeral key; a PKCS#12 round trip would do for other platforms.
        return new TestCertificateAuthority(root, issued.CopyWithPrivateKey(serverKey));
    }

    /// <summary>Writes the CA certificate (not its key) as PEM to <paramref name="path"/>; returns the path.</summary>
    public string WriteRootPem(string path)
    {
        File.WriteAllText(path, Root.ExportCertificatePem() + "\n");
        return path;
    }

    public void Dispose()
    {
        ServerCertificate.Dispose();
        Root.Dispose();
    }
}
