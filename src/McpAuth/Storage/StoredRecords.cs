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

    public bool Equals(CredentialBinding? other) =>
        ReferenceEquals(this, other) || other is not null
        && GetHashCode() == other.GetHashCode()
        && string.Equals(Profile, other.Profile, StringComparison.Ordinal)
        && string.Equals(Resource, other.Resource, StringComparison.Ordinal)
        && string.Equals(Issuer, other.Issuer, StringComparison.Ordinal)
        && string.Equals(ClientId, other.ClientId, StringComparison.Ordinal);

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
    public required string AccessToken { get; init; }
    /// <summary>"Bearer" or "DPoP".</summary>
    public string TokenType { get; init; } = "Bearer";
    public string? RefreshToken { get; init; }
    /// <summary>Absolute expiry; null when the server gave no <c>expires_in</c>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Space-separated granted scope, when known.</summary>
    public string? Scope { get; init; }
    public string? IdToken { get; init; }
    /// <summary>Non-credential extras of the token response (e.g. a user name), for "logged in as".</summary>
    public IReadOnlyDictionary<string, string>? Extras { get; init; }
}

/// <summary>The lifecycle of a credential. Persisted by name: never rename.</summary>
public enum CredentialState
{
    Valid,
    Expiring,
    Refreshing,
    NeedsReauthorization,
    Released,
}

/// <summary>One stored credential: tokens, where they came from, and how to refresh them.</summary>
public sealed record StoredCredential
{
    public required CredentialBinding Binding { get; init; }
    public required TokenSet Tokens { get; init; }
    public required string TokenEndpoint { get; init; }
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
    /// <summary>The DPoP private key (JWK) when the tokens are DPoP-bound.</summary>
    public string? DPoPPrivateJwk { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A client registration, bound to the issuer that issued it and the redirect URI it was registered with.</summary>
public sealed record StoredRegistration
{
    public required string Issuer { get; init; }
    public required string RedirectUri { get; init; }
    public required string ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public string TokenEndpointAuthMethod { get; init; } = "none";
    /// <summary>How the client id was obtained: "preregistered", "cimd", "dcr".</summary>
    public string Source { get; init; } = "dcr";
    public DateTimeOffset? ClientSecretExpiresAt { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>Discovery results for a resource, as URLs (not documents) with an age.</summary>
public sealed record DiscoveryRecord
{
    public required string Resource { get; init; }
    public string? ResourceMetadataUrl { get; init; }
    public required string Issuer { get; init; }
    public string? AuthorizationServerMetadataUrl { get; init; }
    /// <summary>
    /// The resource exactly as the protected resource metadata publishes it (the <see cref="CredentialBinding.Resource"/>
    /// of credentials for this server), so a new process finds its credential without discovery. Null in older records.
    /// </summary>
    public string? BindingResource { get; init; }
    public DateTimeOffset DiscoveredAt { get; init; }
}
