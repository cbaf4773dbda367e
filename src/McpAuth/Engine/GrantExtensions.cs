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

    /// <summary>
    /// The one decision whether a new credential is DPoP-bound (<see cref="DPoPMode"/>): a new key pair, or null for
    /// bearer tokens. Bound when the resource requires it (RFC 9449 §5.2, <c>dpop_bound_access_tokens_required</c> in its
    /// RFC 9728 metadata), or in <see cref="DPoPMode.Auto"/> when the authorization server advertises ES256 (§5.1).
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.DPoPNotSupported"/>: the resource requires DPoP-bound tokens, and DPoP is disabled or
    /// ES256 is not advertised by the authorization server (or not accepted by the resource, when it lists algorithms).
    /// </exception>
    public IDPoPProofSigner? NewDPoPKey(DiscoveryResult discovery)
    {
        var mode = _options.Grant.DPoP;
        var advertised = ListsES256(discovery.AuthorizationServer.DPoPSigningAlgValuesSupported);
        if (discovery.ResourceMetadata is not { DPoPBoundAccessTokensRequired: true } resource)
        {
            return mode == DPoPMode.Auto && advertised ? new DPoPSigner(DPoPKey.Generate()) : null;
        }
        if (mode == DPoPMode.Disabled)
        {
            throw DPoPNotSupported(discovery, $"{nameof(GrantOptions)}.{nameof(GrantOptions.DPoP)} is {nameof(DPoPMode.Disabled)}");
        }
        if (!advertised)
        {
            throw DPoPNotSupported(discovery, $"{DPoPAlgorithm} not in the dpop_signing_alg_values_supported of {discovery.Issuer}");
        }
        if (resource.DPoPSigningAlgValuesSupported is { } accepted && !ListsES256(accepted))
        {
            throw DPoPNotSupported(discovery, $"{DPoPAlgorithm} not in the resource's dpop_signing_alg_values_supported");
        }
        return new DPoPSigner(DPoPKey.Generate());
    }

    private static bool ListsES256(IReadOnlyList<string>? algorithms) => algorithms?.Contains(DPoPAlgorithm, StringComparer.Ordinal) == true;

    private static McpAuthException DPoPNotSupported(DiscoveryResult discovery, string detail) =>
        new(McpAuthErrorCode.DPoPNotSupported, detail) { Endpoint = discovery.ResourceMetadataUrl };

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
