using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>
/// Glue between the engine and the protocol layer's signed grants: <c>private_key_jwt</c> assertions (RFC 7523 §2.2),
/// DPoP keys (RFC 9449), the JWT bearer grant (RFC 7523 §2.1) and the ID-JAG token exchange (RFC 8693).
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
        if (options.ClientKey is { } key)
        {
            try
            {
                _signingKey = ClientSigningKey.FromPkcs8Pem(key.Pkcs8Pem, key.Algorithm, key.KeyId);
            }
            catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(McpAuthOptions.ClientKey), e);
            }
        }
    }

    /// <summary>The assertion factory when a client key is configured.</summary>
    public IClientAssertionFactory? ClientAssertions => _signingKey is null ? null : this;

    public string Create(string clientId, string audience, DateTimeOffset now) =>
        PrivateKeyJwt.CreateClientAssertion(clientId, audience, _signingKey!, now);

    /// <summary>A new key pair when DPoP is wanted and the server advertises ES256 (RFC 9449 §5.1); else null.</summary>
    public IDPoPProofSigner? NewDPoPKey(AuthorizationServerMetadata server) =>
        _options.DPoP == DPoPMode.Auto && server.DPoPSigningAlgValuesSupported?.Contains(DPoPAlgorithm, StringComparer.Ordinal) == true
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
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> WorkloadParametersAsync(string? scope, string resource, CancellationToken ct)
    {
        var provider = _options.WorkloadIdentityToken
            ?? throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(McpAuthOptions.WorkloadIdentityToken));
        var assertion = await provider(ct).ConfigureAwait(false);
        return JwtBearerGrant.BuildParameters(assertion, scope, resource);
    }

    /// <summary>
    /// Enterprise-managed authorization: exchanges the IdP ID token for an ID-JAG at the IdP (RFC 8693 §2.1, audience the
    /// MCP authorization server, resource the MCP server), then returns the JWT bearer grant parameters for it.
    /// </summary>
    /// <exception cref="McpAuthException">The IdP's classified error, or <see cref="McpAuthErrorCode.InvalidResponse"/> for a token that is not an ID-JAG.</exception>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> EnterpriseParametersAsync(
        TokenEndpoint tokens, DiscoveryResult discovery, string? scope, CancellationToken ct)
    {
        var idp = _options.Enterprise ?? throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(McpAuthOptions.Enterprise));
        var idToken = await idp.IdToken(ct).ConfigureAwait(false);
        var parameters = new List<KeyValuePair<string, string>>(TokenExchange.BuildParameters(new TokenExchangeRequest(
            idToken, TokenExchange.IdTokenType, RequestedTokenType: TokenExchange.IdJagTokenType, Audience: discovery.Issuer,
            Resource: discovery.Resource, Scope: scope)));
        var method = idp.ClientSecret is null ? ClientAuthentication.None : ClientAuthentication.ClientSecretBasic;
        var authorization = ClientAuthentication.Apply(method, idp.ClientId, idp.ClientSecret, parameters);
        var response = TokenExchange.ReadResponse(await tokens.SendRawAsync(idp.TokenEndpoint, parameters, authorization, ct).ConfigureAwait(false));
        if (response.IssuedTokenType != TokenExchange.IdJagTokenType)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidResponse, "token exchange did not issue an ID-JAG") { Endpoint = idp.TokenEndpoint };
        }
        return JwtBearerGrant.BuildParameters(response.AccessToken, scope, discovery.Resource);
    }

    private sealed class DPoPSigner(DPoPKey key) : IDPoPProofSigner
    {
        public string PrivateJwk => key.ToPrivateJwk();

        public string CreateProof(string method, Uri target, DateTimeOffset now, string? nonce, string? accessToken) =>
            key.CreateProof(method, target, now, nonce, accessToken);
    }
}
