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
