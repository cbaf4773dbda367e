namespace McpAuth.Http;

/// <summary>Limits applied to every request McpAuth sends to an authorization server or for discovery.</summary>
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
}
