using System.Text.Json.Serialization;

namespace McpAuth.Storage;

/// <summary>
/// What a credential is for and whose it is. Two bindings that differ in any part never share tokens: several
/// accounts (profiles) on one server never mix, and a token for one resource is never sent to another.
/// </summary>
/// <param name="Profile">The account or profile; "default" unless the caller names one. Gateways use "tenant/user".</param>
/// <param name="Resource">The canonical resource URI (RFC 8707) of the MCP server.</param>
/// <param name="Issuer">The authorization server's issuer identifier.</param>
/// <param name="ClientId">The client id the tokens were issued to.</param>
public sealed record CredentialBinding(string Profile, string Resource, string Issuer, string ClientId)
{
    // The hash is computed once and kept: the cached-bearer fast path looks bindings up on every request.
    // Not copied by `with` (see the copy constructor), so a changed copy computes its own.
    private int _hash;

    private CredentialBinding(CredentialBinding original)
    {
        Profile = original.Profile;
        Resource = original.Resource;
        Issuer = original.Issuer;
        ClientId = original.ClientId;
    }

    /// <summary>Ordinal equality of all four parts.</summary>
    public bool Equals(CredentialBinding? other) =>
        ReferenceEquals(this, other) || other is not null
        && GetHashCode() == other.GetHashCode()
        && string.Equals(Profile, other.Profile, StringComparison.Ordinal)
        && string.Equals(Resource, other.Resource, StringComparison.Ordinal)
        && string.Equals(Issuer, other.Issuer, StringComparison.Ordinal)
        && string.Equals(ClientId, other.ClientId, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = _hash;
        if (hash == 0)
        {
            hash = HashCode.Combine(Profile, Resource, Issuer, ClientId);
            _hash = hash == 0 ? 1 : hash;
        }
        return hash;
    }
}

/// <summary>A token endpoint response's tokens (RFC 6749 §5.1) with the expiry made absolute.</summary>
public sealed record TokenSet
{
    /// <summary>The access token (RFC 6749 §5.1). Secret.</summary>
    public required string AccessToken { get; init; }
    /// <summary>"Bearer" or "DPoP".</summary>
    // Required in a stored entry (always written): the serializer would read an absent one as null, not as the default.
    [JsonRequired]
    public string TokenType { get; init; } = "Bearer";
    /// <summary>The refresh token, when issued (RFC 6749 §5.1). Secret.</summary>
    public string? RefreshToken { get; init; }
    /// <summary>Absolute expiry; null when the server gave no <c>expires_in</c>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>
    /// When the token response arrived; with <see cref="ExpiresAt"/> it gives the token's lifetime, which caps the
    /// refresh margin (<see cref="Engine.Refresh.RefreshOptions.SkewFor"/>). Null when unknown (imported tokens, older records).
    /// </summary>
    public DateTimeOffset? IssuedAt { get; init; }
    /// <summary>Space-separated granted scope, when known.</summary>
    public string? Scope { get; init; }
    /// <summary>The OpenID Connect ID token, when issued. Secret.</summary>
    public string? IdToken { get; init; }
    /// <summary>Non-credential extras of the token response (e.g. a user name), for "logged in as".</summary>
    public IReadOnlyDictionary<string, string>? Extras { get; init; }

    /// <summary>Names no token: the access, refresh and ID tokens are secrets.</summary>
    public override string ToString() =>
        $"TokenSet {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, Scope = {Scope}, HasRefreshToken = {RefreshToken is not null} }}";
}

/// <summary>The lifecycle of a credential. Persisted by name: never rename.</summary>
public enum CredentialState
{
    /// <summary>Usable now.</summary>
    Valid,
    /// <summary>Within the refresh skew of its expiry.</summary>
    Expiring,
    /// <summary>A refresh is in flight.</summary>
    Refreshing,
    /// <summary>The grant was refused (<c>invalid_grant</c>): a new login is needed.</summary>
    NeedsReauthorization,
    /// <summary>Logged out or revoked.</summary>
    Released,
}

/// <summary>One stored credential: tokens, where they came from, and how to refresh them.</summary>
public sealed record StoredCredential
{
    /// <summary>What the credential is for and whose it is.</summary>
    public required CredentialBinding Binding { get; init; }
    /// <summary>The tokens.</summary>
    public required TokenSet Tokens { get; init; }
    /// <summary>The token endpoint that issued them, used to refresh.</summary>
    public required string TokenEndpoint { get; init; }
    /// <summary>The lifecycle state.</summary>
    public CredentialState State { get; init; } = CredentialState.Valid;
    /// <summary>Incremented on every change of tokens or state.</summary>
    public long Generation { get; init; }
    /// <summary>How the client authenticates at the token endpoint (e.g. "none", "client_secret_basic").</summary>
    public string? TokenEndpointAuthMethod { get; init; }
    /// <summary>The revocation endpoint (RFC 7009), when the server advertises one.</summary>
    public string? RevocationEndpoint { get; init; }
    /// <summary>
    /// How the client authenticates at the revocation endpoint (RFC 8414 <c>revocation_endpoint_auth_methods_supported</c>);
    /// null means <see cref="TokenEndpointAuthMethod"/>.
    /// </summary>
    public string? RevocationEndpointAuthMethod { get; init; }
    /// <summary>The DPoP private key (JWK) when the tokens are DPoP-bound. Secret.</summary>
    [JsonPropertyName("dpop_private_jwk")] // not the naming policy's "d_po_p_private_jwk"
    public string? DPoPPrivateJwk { get; init; }
    /// <summary>When the credential last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Names no token or key: see <see cref="TokenSet.ToString"/>.</summary>
    public override string ToString() => $"StoredCredential {{ Binding = {Binding}, State = {State}, Generation = {Generation}, Tokens = {Tokens} }}";
}

/// <summary>A client registration, bound to the issuer that issued it and the redirect URI it was registered with.</summary>
public sealed record StoredRegistration
{
    /// <summary>The issuer that registered the client.</summary>
    public required string Issuer { get; init; }
    /// <summary>The redirect URI it was registered with.</summary>
    public required string RedirectUri { get; init; }
    /// <summary>The client id.</summary>
    public required string ClientId { get; init; }
    /// <summary>The client secret, for confidential clients. Secret.</summary>
    public string? ClientSecret { get; init; }
    /// <summary>RFC 7591 §2 <c>token_endpoint_auth_method</c>.</summary>
    // Required in a stored entry (always written): the serializer would read an absent one as null, not as the default.
    [JsonRequired]
    public string TokenEndpointAuthMethod { get; init; } = "none";
    /// <summary>How the client id was obtained: "preregistered", "cimd", "dcr".</summary>
    // Required in a stored entry (always written): the serializer would read an absent one as null, not as the default.
    [JsonRequired]
    public string Source { get; init; } = "dcr";
    /// <summary>RFC 7591 §3.2.1 <c>client_secret_expires_at</c>; null when it never expires.</summary>
    public DateTimeOffset? ClientSecretExpiresAt { get; init; }
    /// <summary>When the client was registered.</summary>
    public DateTimeOffset RegisteredAt { get; init; }
    /// <summary>RFC 7592 §3 <c>registration_client_uri</c>: where the registration is deleted at logout; null when none.</summary>
    public string? RegistrationClientUri { get; init; }
    /// <summary>RFC 7592 §3 <c>registration_access_token</c> for <see cref="RegistrationClientUri"/>. Secret.</summary>
    public string? RegistrationAccessToken { get; init; }
    /// <summary>
    /// A login with this dynamic registration ended without a callback (the browser page may have shown that the server
    /// forgot the client: Cloudflare's provider expires registrations, servers restart): the next authorization
    /// registers again instead of reusing it. False for registrations in good standing and records written before.
    /// </summary>
    public bool Unconfirmed { get; init; }

    /// <summary>Names neither the client secret nor the registration access token.</summary>
    public override string ToString() =>
        $"StoredRegistration {{ Issuer = {Issuer}, RedirectUri = {RedirectUri}, ClientId = {ClientId}, Source = {Source} }}";
}

/// <summary>Discovery results for a resource, as URLs (not documents) with an age.</summary>
public sealed record DiscoveryRecord
{
    /// <summary>The canonical resource URI (RFC 8707).</summary>
    public required string Resource { get; init; }
    /// <summary>The RFC 9728 protected resource metadata URL used.</summary>
    public string? ResourceMetadataUrl { get; init; }
    /// <summary>The issuer of the authorization server found.</summary>
    public required string Issuer { get; init; }
    /// <summary>The RFC 8414 metadata URL used.</summary>
    public string? AuthorizationServerMetadataUrl { get; init; }
    /// <summary>
    /// The resource exactly as the protected resource metadata publishes it (the <see cref="CredentialBinding.Resource"/>
    /// of credentials for this server), so a new process finds its credential without discovery. Null in older records.
    /// </summary>
    public string? BindingResource { get; init; }
    /// <summary>When discovery ran.</summary>
    public DateTimeOffset DiscoveredAt { get; init; }
}
