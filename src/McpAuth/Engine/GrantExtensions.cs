using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>
/// Glue between the engine and the protocol layer's signed grants: <c>private_key_jwt</c> assertions (RFC 7523 §2.2),
/// DPoP keys (RFC 9449) and the JWT bearer grant (RFC 7523 §2.1); the ID-JAG exchange is in <see cref="EnterpriseAuthorization"/>.
/// </summary>
internal sealed class GrantExtensions : IClientAssertionFactory
{
    public const string JwtBearerGrantType = JwtBearerGrant.GrantType;

    /// <summary>The only DPoP algorithm McpAuth signs with.</summary>
    private const string DPoPAlgorithm = "ES256";

    private readonly McpAuthOptions _options;
    private readonly ClientSigningKey? _signingKey;

    public GrantExtensions(McpAuthOptions options)
    {
        _options = options;
        if (options.Client.Key is { } key)
        {
            try
            {
                _signingKey = ClientSigningKey.FromPkcs8Pem(key.Pkcs8Pem, key.Algorithm, key.KeyId);
            }
            catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(ClientIdentityOptions.Key), e);
            }
        }
    }

    /// <summary>The assertion factory when a client key is configured.</summary>
    public IClientAssertionFactory? ClientAssertions => _signingKey is null ? null : this;

    public string Create(string clientId, string audience, DateTimeOffset now) =>
        PrivateKeyJwt.CreateClientAssertion(clientId, audience, _signingKey!, now);

    /// <summary>A new key pair when DPoP is wanted and the server advertises ES256 (RFC 9449 §5.1); else null.</summary>
    public IDPoPProofSigner? NewDPoPKey(AuthorizationServerMetadata server) =>
        _options.Grant.DPoP == DPoPMode.Auto && server.DPoPSigningAlgValuesSupported?.Contains(DPoPAlgorithm, StringComparer.Ordinal) == true
            ? new DPoPSigner(DPoPKey.Generate())
            : null;

    /// <summary>The stored key of a DPoP-bound credential; null when it cannot be read (the credential then re-authorizes).</summary>
    public IDPoPProofSigner? DPoPKeyFromJwk(string jwk)
    {
        try
        {
            return new DPoPSigner(DPoPKey.FromPrivateJwk(jwk));
        }
        catch (Exception e) when (e is ArgumentException or McpAuthException or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    /// <summary>JWT bearer grant parameters with the workload identity token as the assertion (RFC 7523 §2.1).</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> WorkloadParametersAsync(string? scope, string? resource, CancellationToken ct)
    {
        var provider = _options.Grant.WorkloadIdentityToken
            ?? throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(GrantOptions.WorkloadIdentityToken));
        var assertion = await provider(ct).ConfigureAwait(false);
        return JwtBearerGrant.BuildParameters(assertion, scope, resource);
    }

    private sealed class DPoPSigner(DPoPKey key) : IDPoPProofSigner
    {
        public string PrivateJwk => key.ToPrivateJwk();

        public string CreateProof(string method, Uri target, DateTimeOffset now, string? nonce, string? accessToken) =>
            key.CreateProof(method, target, now, nonce, accessToken);
    }
}
