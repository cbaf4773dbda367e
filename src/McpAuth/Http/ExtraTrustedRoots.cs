using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace McpAuth.Http;

/// <summary>
/// Trust in extra certificate authorities added to the system's roots, not in place of them: a certificate the system
/// trusts passes as before; one that fails only for its chain passes when it chains, for server authentication, to one
/// of the extra authorities. A wrong host name or a missing certificate always fails.
/// </summary>
internal static class ExtraTrustedRoots
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1"; // RFC 5280 §4.2.1.12 id-kp-serverAuth

    /// <summary>
    /// A validation callback over a copy of <paramref name="authorities"/> and the certificates of
    /// <paramref name="pemFile"/>, which is read once, at the first chain the system does not trust.
    /// </summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection authorities, string? pemFile)
    {
        var given = new X509Certificate2Collection(authorities);
        var roots = new Lazy<X509Certificate2Collection>(() => WithBundle(given, pemFile), LazyThreadSafetyMode.ExecutionAndPublication);
        return (_, certificate, presented, errors) => errors == SslPolicyErrors.None
            || (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is X509Certificate2 leaf && ChainsTo(roots.Value, leaf, presented));
    }

    private static X509Certificate2Collection WithBundle(X509Certificate2Collection given, string? pemFile)
    {
        var roots = new X509Certificate2Collection(given);
        if (pemFile is not null)
        {
            try
            {
                roots.ImportFromPemFile(pemFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                // Nothing more is trusted; the handshake fails as it would without the bundle (TlsFailure).
            }
        }
        return roots;
    }

    /// <summary>True when <paramref name="leaf"/> builds a valid chain to one of <paramref name="roots"/>.</summary>
    public static bool ChainsTo(X509Certificate2Collection roots, X509Certificate2 leaf, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // As the system's validation does for an HTTPS client by default (SslClientAuthenticationOptions): no CRL or OCSP.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ServerAuthentication));
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return chain.Build(leaf);
    }
}
