using System.Security.Cryptography.X509Certificates;

namespace McpAuth.Http;

/// <summary>
/// Limits applied to every request McpAuth sends to an authorization server or for discovery, and the trust of the
/// handler <see cref="OAuthHttpClient.CreateDefaultHandler"/> builds (also the sender of MCP requests in the CLI's proxy).
/// </summary>
public sealed class OAuthHttpOptions
{
    /// <summary>Timeout of one request, from sending to the last byte of the body. Default 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest accepted response body. Default 1 MiB; OAuth documents are a few KiB.</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// DANGEROUS: allows requests to link-local and cloud-metadata addresses (169.254.169.254 and friends).
    /// Only for test rigs that put an authorization server there on purpose.
    /// </summary>
    public bool DangerouslyAllowLinkLocalAddresses { get; set; }

    /// <summary>
    /// Certificate authorities trusted for HTTPS in addition to the system's roots (never instead of them): a private or
    /// corporate CA, or the CA of a TLS-inspecting proxy. Empty by default. Applied by
    /// <see cref="OAuthHttpClient.CreateDefaultHandler"/>: a server certificate the system does not trust is accepted only
    /// when it chains to one of these (for server authentication, host name checked as always); the set is copied
    /// when the handler is built. Load a PEM bundle with <see cref="X509Certificate2Collection.ImportFromPemFile"/>.
    /// </summary>
    public X509Certificate2Collection ExtraTrustedCertificates { get; } = [];

    /// <summary>
    /// A PEM bundle of more certificate authorities trusted like <see cref="ExtraTrustedCertificates"/>, read at the first
    /// TLS handshake whose chain the system's roots do not validate, not when the handler is built: a bundle may hold a
    /// whole system store (users point <c>NODE_EXTRA_CA_CERTS</c> at one), tens of milliseconds to parse that a command
    /// sending no request, or only to servers the system trusts, must not pay (measured on the native
    /// <c>mcpauth token</c>: 44 against 18 ms of CPU with the system bundle parsed up front). A file that cannot be read
    /// then adds nothing, and the handshake fails as without it. Null by default.
    /// </summary>
    public string? ExtraTrustedCertificatesFile { get; set; }
}
