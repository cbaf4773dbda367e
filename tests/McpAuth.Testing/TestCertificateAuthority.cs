using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace McpAuth.Testing;

/// <summary>
/// A certificate authority made in the test (<see cref="CertificateRequest"/>, ECDSA P-256, valid one day) and a server
/// certificate it issued for 127.0.0.1 and localhost, for HTTPS servers no system store trusts.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

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

        return new TestCertificateAuthority(root, Issue(root, IPAddress.Loopback.ToString(), "localhost"));
    }

    /// <summary>A server certificate this CA issues for other names (the first an IP address or a DNS name).</summary>
    public X509Certificate2 Issue(params string[] names) => Issue(Root, names);

    private static X509Certificate2 Issue(X509Certificate2 root, params string[] names)
    {
        var now = DateTimeOffset.UtcNow;
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", serverKey, HashAlgorithmName.SHA256);
        var alternatives = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                alternatives.AddIpAddress(address);
            }
            else
            {
                alternatives.AddDnsName(name);
            }
        }
        request.CertificateExtensions.Add(alternatives.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var issued = request.Create(root, now.AddMinutes(-10), now.AddHours(12), RandomNumberGenerator.GetBytes(16));
        // Kestrel and SslStream on Linux take an ephemeral key; a PKCS#12 round trip would do for other platforms.
        return issued.CopyWithPrivateKey(serverKey);
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
