namespace McpAuth.Engine;

/// <summary>An access token ready to present to an MCP server.</summary>
/// <param name="Value">The token. Secret: never log it.</param>
/// <param name="TokenType"><c>Bearer</c> or <c>DPoP</c> (RFC 9449 §7.1).</param>
/// <param name="ExpiresAt">When it expires, when known.</param>
/// <param name="Scope">The granted scope, when known.</param>
public sealed record AccessToken(string Value, string TokenType, DateTimeOffset? ExpiresAt, string? Scope)
{
    /// <summary>The key the token is bound to, for DPoP tokens.</summary>
    internal IDPoPProofSigner? DPoP { get; init; }

    /// <summary>True when the token must be presented with the <c>DPoP</c> scheme and a proof.</summary>
    public bool IsDPoP => DPoP is not null && string.Equals(TokenType, "DPoP", StringComparison.OrdinalIgnoreCase);

    /// <summary>Never prints the token.</summary>
    public override string ToString() => $"AccessToken {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt}, Scope = {Scope} }}";
}

/// <summary>A started authorization: send the user to <see cref="AuthorizationUrl"/>, then complete with the callback URL.</summary>
/// <param name="AuthorizationUrl">The URL to open.</param>
/// <param name="RedirectUri">Where the server will redirect.</param>
/// <param name="State">The state that keys the pending flow.</param>
public sealed record AuthorizationStart(Uri AuthorizationUrl, Uri RedirectUri, string State);

/// <summary>In-process state of one MCP server: what discovery found, the identity used, the scopes asked for.</summary>
internal sealed class ResourceSession
{
    public SemaphoreSlim Gate { get; } = new(1, 1);
    public DiscoveryResult? Discovery { get; set; }
    /// <summary>The client <see cref="Credential"/> was issued to; for one loaded from the store, null until a refresh needs it.</summary>
    public ClientIdentity? Client { get; set; }
    public string? Scope { get; set; }
    public string? ChallengeScope { get; set; }
    public int StepUps { get; set; }
    public Storage.StoredCredential? Credential { get; set; }
    public IDPoPProofSigner? DPoP { get; set; }
    /// <summary>The resource server's latest DPoP nonce (RFC 9449 §9).</summary>
    public string? ResourceNonce { get; set; }
    /// <summary>The read ahead of the stored credential (McpAuthHandler); it never throws.</summary>
    public Task? Prefetching { get; set; }
    /// <summary>Whether the read ahead got to the store before any request did.</summary>
    public volatile bool PrefetchBegan;
}
