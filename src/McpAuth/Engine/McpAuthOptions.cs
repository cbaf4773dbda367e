using McpAuth.Http;

namespace McpAuth.Engine;

/// <summary>How McpAuth obtains tokens for an MCP server.</summary>
public enum McpAuthGrant
{
    /// <summary>Authorization code with PKCE (OAuth 2.1 §4.1), through an <see cref="IAuthorizationInteraction"/>.</summary>
    AuthorizationCode,
    /// <summary>Client credentials (OAuth 2.1 §4.2), with a pre-registered secret or private key.</summary>
    ClientCredentials,
    /// <summary>JWT bearer grant (RFC 7523 §2.1) from a workload identity token. Never falls back to another grant.</summary>
    JwtBearer,
    /// <summary>
    /// Enterprise-managed authorization: an IdP ID token exchanged for an identity assertion (RFC 8693, ID-JAG), then a
    /// JWT bearer grant at the MCP server's authorization server.
    /// </summary>
    EnterpriseManaged,
}

/// <summary>
/// Whether tokens are sender-constrained with DPoP (RFC 9449). Decided once per authorization, from what discovery found;
/// a refresh keeps the credential's binding. In every mode, a resource whose RFC 9728 metadata says
/// <c>dpop_bound_access_tokens_required</c> (RFC 9449 §5.2) gets DPoP-bound tokens or
/// <see cref="McpAuthErrorCode.DPoPNotSupported"/> before any authorization starts: a bearer token it would refuse is
/// never asked for.
/// </summary>
public enum DPoPMode
{
    /// <summary>Use DPoP when the authorization server advertises <c>dpop_signing_alg_values_supported</c> with ES256.</summary>
    Auto,
    /// <summary>
    /// Never use DPoP; authorizing for a resource that requires DPoP-bound tokens fails with
    /// <see cref="McpAuthErrorCode.DPoPNotSupported"/>.
    /// </summary>
    Disabled,
    /// <summary>
    /// Use DPoP only where the resource requires it (<c>dpop_bound_access_tokens_required</c> in its RFC 9728 metadata);
    /// elsewhere bearer tokens, even when the authorization server supports DPoP. For hosts that also hand tokens to
    /// code that cannot add proofs (the mcpauth CLI's <c>token</c> and <c>headers</c>).
    /// </summary>
    WhenRequired,
}

/// <summary>A client registered with the authorization server ahead of time (MCP authorization "Preregistration").</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The secret, for confidential clients.</param>
/// <param name="TokenEndpointAuthMethod">
/// The method it was registered with (<c>none</c>, <c>client_secret_basic</c>, <c>client_secret_post</c>,
/// <c>private_key_jwt</c>); null to choose from the server's metadata.
/// </param>
/// <param name="Issuer">The issuer it is registered at; null for any.</param>
public sealed record PreRegisteredClient(
    string ClientId, string? ClientSecret = null, string? TokenEndpointAuthMethod = null, string? Issuer = null)
{
    /// <summary>Never prints the client secret.</summary>
    public override string ToString() =>
        $"PreRegisteredClient {{ ClientId = {ClientId}, TokenEndpointAuthMethod = {TokenEndpointAuthMethod}, Issuer = {Issuer} }}";

    /// <summary>
    /// A chosen <see cref="TokenEndpointAuthMethod"/> must be one McpAuth performs, and have what it needs: a secret
    /// for the <c>client_secret_*</c> methods, a key (<see cref="ClientIdentityOptions.Key"/>) for <c>private_key_jwt</c>.
    /// </summary>
    internal void Validate(bool hasKey)
    {
        var fits = TokenEndpointAuthMethod switch
        {
            null or Protocol.ClientAuthentication.None => true,
            Protocol.ClientAuthentication.ClientSecretBasic or Protocol.ClientAuthentication.ClientSecretPost => ClientSecret is not null,
            Protocol.ClientAuthentication.PrivateKeyJwt => hasKey,
            _ => false,
        };
        if (string.IsNullOrEmpty(ClientId) || !fits)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, fits ? "Client.ClientId" : "Client.TokenEndpointAuthMethod");
        }
    }
}

/// <summary>A private key for <c>private_key_jwt</c> client authentication (RFC 7523 §2.2).</summary>
/// <param name="Pkcs8Pem">The PKCS#8 PEM private key. Secret.</param>
/// <param name="Algorithm"><c>ES256</c> or <c>RS256</c>.</param>
/// <param name="KeyId">The <c>kid</c> to put in the JWS header, if any.</param>
public sealed record ClientKeyOptions(string Pkcs8Pem, string Algorithm, string? KeyId = null)
{
    /// <summary>Never prints the private key.</summary>
    public override string ToString() => $"ClientKeyOptions {{ Algorithm = {Algorithm}, KeyId = {KeyId} }}";
}

/// <summary>The identity provider of enterprise-managed authorization (ID-JAG profile of RFC 8693).</summary>
/// <param name="TokenEndpoint">The IdP token endpoint that performs the token exchange.</param>
/// <param name="ClientId">The client id at the IdP.</param>
/// <param name="IdToken">Provides the user's ID token at the IdP.</param>
/// <param name="ClientSecret">The client secret at the IdP, if it has one.</param>
/// <remarks>
/// <paramref name="IdToken"/> is the OpenID login: McpAuth calls it only when the vault holds no unexpired ID token for
/// <see cref="IdpIssuer"/>, keeps the result, and reuses it for every MCP server configured for this IdP.
/// </remarks>
public sealed record EnterpriseIdentityOptions(
    Uri TokenEndpoint, string ClientId, Func<CancellationToken, ValueTask<string>> IdToken, string? ClientSecret = null)
{
    /// <summary>The IdP's issuer identifier, the key of the cached ID token; null: the token endpoint's origin.</summary>
    public string? Issuer { get; init; }

    /// <summary>The key the ID token is cached under: <see cref="Issuer"/>, or the token endpoint's origin.</summary>
    public string IdpIssuer => Issuer ?? TokenEndpoint.GetLeftPart(UriPartial.Authority);

    /// <inheritdoc/>
    public override string ToString() => $"EnterpriseIdentityOptions {{ TokenEndpoint = {TokenEndpoint}, ClientId = {ClientId}, Issuer = {IdpIssuer} }}";
}

/// <summary>
/// Delegation for one MCP server (RFC 8693 §2.1): before each request, the stored (subject) token is exchanged for a
/// token the acting party holds on the user's behalf. When the authorization server answers that it does not support
/// the grant or a token type (<see cref="McpAuthErrorCode.UnsupportedGrantType"/>), the subject token is sent instead.
/// </summary>
public sealed record DelegationOptions
{
    /// <summary>Provides the acting party's token (RFC 8693 <c>actor_token</c>); null for impersonation without an actor.</summary>
    public Func<CancellationToken, ValueTask<string>>? ActorToken { get; init; }

    /// <summary>The actor token's type. Default: a JWT (<see cref="Protocol.TokenExchange.JwtTokenType"/>).</summary>
    public string ActorTokenType { get; init; } = Protocol.TokenExchange.JwtTokenType;

    /// <summary>The subject token's type. Default: an access token.</summary>
    public string SubjectTokenType { get; init; } = Protocol.TokenExchange.AccessTokenType;

    /// <summary>The type to ask for. Default: an access token.</summary>
    public string RequestedTokenType { get; init; } = Protocol.TokenExchange.AccessTokenType;

    /// <summary>RFC 8693 <c>audience</c>: the logical name of the target service; null to send none.</summary>
    public string? Audience { get; init; }

    /// <summary>RFC 8693 <c>resource</c> (RFC 8707); null: the MCP server's resource identifier.</summary>
    public string? Resource { get; init; }

    /// <summary>The scope the acting party asks for; null: the authorization server decides.</summary>
    public string? Scope { get; init; }

    /// <summary>The token endpoint that performs the exchange; null: the MCP authorization server's.</summary>
    public Uri? TokenEndpoint { get; init; }
}

/// <summary>
/// Options of <see cref="McpAuthClient"/>, grouped by what they configure: who the client is (<see cref="Client"/>),
/// how tokens are obtained (<see cref="Grant"/>), what an authorization asks for (<see cref="Authorization"/>), when
/// and how tokens are refreshed (<see cref="Refresh"/>), where they are stored (<see cref="Profile"/>), and the limits
/// of every request (<see cref="Http"/>). Validated in one place, <see cref="Validate"/>. Every relaxation of a
/// security default has a loud name.
/// </summary>
public sealed class McpAuthOptions
{
    /// <summary>The profile (account) credentials are stored under: several accounts on one server never mix.</summary>
    public string Profile { get; set; } = "default";

    /// <summary>Who the client is: pre-registered, a client ID metadata document, or dynamically registered; its redirect URI.</summary>
    public ClientIdentityOptions Client { get; } = new();

    /// <summary>How tokens are obtained (the grant, its inputs) and whether they are sender-constrained (DPoP).</summary>
    public GrantOptions Grant { get; } = new();

    /// <summary>What an authorization asks for (scopes, resource, extra parameters) and the limits of pending flows and step-ups.</summary>
    public AuthorizationOptions Authorization { get; } = new();

    /// <summary>
    /// When to refresh (<see cref="Refresh.RefreshOptions.Skew"/>, 60 s, capped at a quarter of a token's lifetime: a token
    /// that lives 60 s, Cloudflare's minimum, is refreshed 15 s before it expires, not before every request), how hard to
    /// retry, how long to wait for another refresher, how old a stored discovery may be.
    /// </summary>
    public Refresh.RefreshOptions Refresh { get; set; } = new();

    /// <summary>
    /// Per-server delegation (RFC 8693), keyed by the MCP server URL as <see cref="Protocol.ResourceUri.Canonicalize(Uri)"/>
    /// writes it; servers not listed get the stored token as is.
    /// </summary>
    public IDictionary<string, DelegationOptions> Delegation { get; } = new Dictionary<string, DelegationOptions>(StringComparer.Ordinal);

    /// <summary>Limits of every request to an authorization server.</summary>
    public OAuthHttpOptions Http { get; set; } = new();

    /// <summary>Checks every group (the checks that need no network), in one place.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidConfiguration"/> naming the option.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Profile))
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(Profile));
        }
        ArgumentNullException.ThrowIfNull(Refresh);
        ArgumentNullException.ThrowIfNull(Http);
        Refresh.Validate();
        Client.Validate();
        Grant.Validate(Client);
        Authorization.Validate(Http);
    }
}
