namespace McpAuth.Engine;

/// <summary>Tokens obtained elsewhere (an older store, another tool), to bring under McpAuth's care. Secret: ToString hides them.</summary>
/// <param name="AccessToken">The access token.</param>
/// <param name="ClientId">The client id the tokens were issued to.</param>
public sealed record ImportedTokens(string AccessToken, string ClientId)
{
    /// <summary>The refresh token, when there is one.</summary>
    public string? RefreshToken { get; init; }

    /// <summary>When the access token expires; null when unknown (then it is used until a 401).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The client secret, for a confidential client; stored as a pre-registered registration so refresh can authenticate.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>A token endpoint to use instead of the one the authorization server metadata names.</summary>
    public Uri? TokenEndpoint { get; init; }

    /// <summary>The granted scope, when known.</summary>
    public string? Scope { get; init; }

    /// <summary>
    /// The redirect URI the client was registered with, when known (another tool's dynamic registration): its
    /// registration is then kept under it, secret or not, so a later login with that redirect URI reuses the client
    /// instead of registering a new one. Null: only a client with a secret is kept (under the engine's redirect URI).
    /// </summary>
    public Uri? RedirectUri { get; init; }

    /// <summary>The profile to store under; null for <see cref="McpAuthOptions.Profile"/>.</summary>
    public string? Profile { get; init; }

    /// <summary>Never prints the tokens.</summary>
    public override string ToString() => $"ImportedTokens {{ ClientId = {ClientId}, ExpiresAt = {ExpiresAt}, Profile = {Profile} }}";
}
