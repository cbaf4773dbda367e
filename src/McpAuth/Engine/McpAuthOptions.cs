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

/// <summary>Whether tokens are sender-constrained with DPoP (RFC 9449).</summary>
public enum DPoPMode
{
    /// <summary>Use DPoP when the authorization server advertises <c>dpop_signing_alg_values_supported</c> with ES256.</summary>
    Auto,
    /// <summary>Never use DPoP.</summary>
    Disabled,
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
    /// for the <c>client_secret_*</c> methods, a key (<see cref="McpAuthOptions.ClientKey"/>) for <c>private_key_jwt</c>.
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

/// <summary>Options of <see cref="McpAuthClient"/>. Every relaxation of a security default has a loud name.</summary>
public sealed class McpAuthOptions
{
    /// <summary>The redirect URI registered for the client. Loopback makes it a native client.</summary>
    public Uri RedirectUri { get; set; } = new("http://127.0.0.1:33418/callback");

    /// <summary>The profile (account) credentials are stored under.</summary>
    public string Profile { get; set; } = "default";

    /// <summary>How tokens are obtained.</summary>
    public McpAuthGrant Grant { get; set; } = McpAuthGrant.AuthorizationCode;

    /// <summary>A pre-registered client; used before any other identity when it applies to the issuer.</summary>
    public PreRegisteredClient? Client { get; set; }

    /// <summary>The key for <c>private_key_jwt</c>; used with <see cref="Client"/>.</summary>
    public ClientKeyOptions? ClientKey { get; set; }

    /// <summary>
    /// The HTTPS URL of this client's metadata document, used as the client id when the authorization server sets
    /// <c>client_id_metadata_document_supported</c>.
    /// </summary>
    public Uri? ClientMetadataDocumentUrl { get; set; }

    /// <summary>Register dynamically (RFC 7591) when no other identity applies. Default true.</summary>
    public bool DynamicClientRegistration { get; set; } = true;

    /// <summary>
    /// Provides the RFC 7591 §3 initial access token sent as a bearer token with registration requests, for servers
    /// that do not register anonymous clients (Okta: https://developer.okta.com/docs/reference/api/oauth-clients/,
    /// Keycloak: https://www.keycloak.org/securing-apps/client-registration answer 401 or 403 without one). Secret:
    /// called only when a registration is sent, never logged. Null (default): anonymous registration.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? RegistrationAccessToken { get; set; }

    /// <summary>
    /// Register a new client at the next authorization even when a stored dynamic registration exists (for a server
    /// that forgot the client: its refusal shows only in the browser). The stored registration is replaced. Default false.
    /// </summary>
    public bool ForceNewRegistration { get; set; }

    /// <summary>The <c>client_name</c> sent in registrations.</summary>
    public string ClientName { get; set; } = "McpAuth";

    /// <summary>
    /// The authorization server metadata URL to use instead of discovery, for servers that need one (HTTPS, loopback
    /// excepted).
    /// </summary>
    public Uri? AuthorizationServerMetadataUrl { get; set; }

    /// <summary>Ask for <c>offline_access</c> when the authorization server lists it. Default true.</summary>
    public bool RequestRefreshToken { get; set; } = true;

    /// <summary>
    /// Space-separated scopes to request (RFC 6749 §3.3) instead of the MCP scope selection (a challenge's
    /// <c>scope</c>, else the resource metadata's <c>scopes_supported</c>). <c>offline_access</c> is still added per
    /// <see cref="RequestRefreshToken"/>, and a step-up still asks for the union with the challenged scopes.
    /// Null (default): the MCP scope selection.
    /// </summary>
    public string? Scope { get; set; }

    /// <summary>How many step-up authorizations may follow each other without a successful request. Default 2.</summary>
    public int MaxStepUpAttempts { get; set; } = 2;

    /// <summary>How many authorizations of this profile may be pending at once (in its <see cref="PendingFlowRegistry"/>). Default 16.</summary>
    public int MaxPendingFlows { get; set; } = 16;

    /// <summary>
    /// For an application acting for many users (profiles "tenant/user"): how many authorizations one tenant may have
    /// pending at once across all its users. Default 64.
    /// </summary>
    public int MaxPendingFlowsPerTenant { get; set; } = 64;

    /// <summary>
    /// For an application acting for many users: how many authorizations may be pending at once across every profile.
    /// Default 1024.
    /// </summary>
    public int MaxPendingFlowsTotal { get; set; } = 1024;

    /// <summary>How long a pending authorization stays valid. Default 10 minutes.</summary>
    public TimeSpan PendingFlowLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// When to refresh (<see cref="Refresh.RefreshOptions.Skew"/>, 60 s, capped at a quarter of a token's lifetime: a token
    /// that lives 60 s, Cloudflare's minimum, is refreshed 15 s before it expires, not before every request), how hard to
    /// retry, how long to wait for another refresher, how old a stored discovery may be.
    /// </summary>
    public Refresh.RefreshOptions Refresh { get; set; } = new();

    /// <summary>DPoP use. Default <see cref="DPoPMode.Auto"/>.</summary>
    public DPoPMode DPoP { get; set; } = DPoPMode.Auto;

    /// <summary>For <see cref="McpAuthGrant.JwtBearer"/>: provides the workload identity token (the assertion).</summary>
    public Func<CancellationToken, ValueTask<string>>? WorkloadIdentityToken { get; set; }

    /// <summary>For <see cref="McpAuthGrant.EnterpriseManaged"/>: the identity provider.</summary>
    public EnterpriseIdentityOptions? Enterprise { get; set; }

    /// <summary>
    /// Per-server delegation (RFC 8693), keyed by the MCP server URL as <see cref="Protocol.ResourceUri.Canonicalize(Uri)"/>
    /// writes it; servers not listed get the stored token as is.
    /// </summary>
    public IDictionary<string, DelegationOptions> Delegation { get; } = new Dictionary<string, DelegationOptions>(StringComparer.Ordinal);

    /// <summary>What the authorization request carries beyond the MCP defaults (resource, extra parameters, audience, PKCE and issuer opt-ins).</summary>
    public AuthorizationOptions Authorization { get; } = new();

    /// <summary>Limits of every request to an authorization server.</summary>
    public OAuthHttpOptions Http { get; set; } = new();

    /// <summary>Checks the options that can be checked without a network.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidConfiguration"/>.</exception>
    public void Validate()
    {
        if (MaxPendingFlows < 1 || MaxPendingFlowsPerTenant < 1 || MaxPendingFlowsTotal < 1)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, "MaxPendingFlows");
        }
        ArgumentNullException.ThrowIfNull(Refresh);
        Refresh.Validate();
        if (!RedirectUri.IsAbsoluteUri)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(RedirectUri));
        }
        if (AuthorizationServerMetadataUrl is { } url)
        {
            EndpointPolicy.Validate(url, Http.DangerouslyAllowLinkLocalAddresses);
        }
        if (ClientMetadataDocumentUrl is { } cimd && (cimd.Scheme != Uri.UriSchemeHttps || cimd.AbsolutePath == "/"))
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(ClientMetadataDocumentUrl));
        }
        var needsClient = Grant is McpAuthGrant.ClientCredentials or McpAuthGrant.JwtBearer or McpAuthGrant.EnterpriseManaged;
        if (needsClient && Client is null)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(Client));
        }
        if (Grant == McpAuthGrant.JwtBearer && WorkloadIdentityToken is null)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(WorkloadIdentityToken));
        }
        if (Grant == McpAuthGrant.EnterpriseManaged && Enterprise is null)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(Enterprise));
        }
        Client?.Validate(ClientKey is not null);
        Authorization.Validate();
    }
}
