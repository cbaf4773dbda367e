namespace McpAuth.Protocol;

/// <summary>A successful access token response (RFC 6749 §5.1).</summary>
public sealed record TokenResponse(
    string AccessToken, string TokenType, TimeSpan? ExpiresIn, string? RefreshToken, string? Scope, string? IdToken,
    string? IssuedTokenType = null)
{
    /// <summary>Never prints the tokens.</summary>
    public override string ToString() => $"TokenResponse {{ TokenType = {TokenType}, ExpiresIn = {ExpiresIn}, Scope = {Scope} }}";

    /// <summary>
    /// When the access token expires, for a response received at <paramref name="receivedAt"/> (RFC 6749 §5.1:
    /// <c>expires_in</c> is the lifetime in seconds from the response); null when the server gave none (or a
    /// non-positive one).
    /// </summary>
    public DateTimeOffset? ExpiresAt(DateTimeOffset receivedAt) =>
        ExpiresIn is { } lifetime && lifetime > TimeSpan.Zero ? receivedAt + lifetime : null;
}

/// <summary>Token endpoint requests and responses (RFC 6749 §4.1.3, §4.4.2, §5, §6).</summary>
public static class TokenEndpointMessages
{
    /// <summary>Authorization code grant parameters with PKCE and the RFC 8707 resource (RFC 6749 §4.1.3, RFC 7636 §4.5).</summary>
    public static List<KeyValuePair<string, string>> AuthorizationCode(string code, Uri redirectUri, string codeVerifier, string? resource)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(redirectUri);
        ArgumentNullException.ThrowIfNull(codeVerifier);
        var list = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", redirectUri.OriginalString),
            new("code_verifier", codeVerifier),
        };
        FormParameters.AddIfPresent(list, "resource", resource);
        return list;
    }

    /// <summary>Refresh parameters (RFC 6749 §6); the scope is omitted so the original grant applies.</summary>
    public static List<KeyValuePair<string, string>> RefreshToken(string refreshToken, string? resource, string? scope = null)
    {
        ArgumentNullException.ThrowIfNull(refreshToken);
        var list = new List<KeyValuePair<string, string>> { new("grant_type", "refresh_token"), new("refresh_token", refreshToken) };
        FormParameters.AddIfPresent(list, "scope", scope);
        FormParameters.AddIfPresent(list, "resource", resource);
        return list;
    }

    /// <summary>Client credentials parameters (RFC 6749 §4.4.2).</summary>
    public static List<KeyValuePair<string, string>> ClientCredentials(string? scope, string? resource)
    {
        var list = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        FormParameters.AddIfPresent(list, "scope", scope);
        FormParameters.AddIfPresent(list, "resource", resource);
        return list;
    }

    /// <summary>
    /// Reads a token response. <c>token_type</c> must be present (RFC 6749 §5.1); unknown members are ignored.
    /// </summary>
    /// <exception cref="McpAuthException">The classified error (InvalidGrant, InvalidClient, ...) or InvalidResponse.</exception>
    public static TokenResponse Read(OAuthResponse response)
    {
        var json = OAuthResponseReader.ReadJson(response, "token response", 200);
        return ResponseMembers.Read(response, () =>
        {
            return new TokenResponse(
                OAuthJson.RequiredString(json, "access_token"),
                OAuthJson.RequiredString(json, "token_type"),
                ResponseMembers.OptionalSeconds(json, "expires_in"),
                OAuthJson.OptionalString(json, "refresh_token"),
                OAuthJson.OptionalString(json, "scope"),
                OAuthJson.OptionalString(json, "id_token"),
                OAuthJson.OptionalString(json, "issued_token_type"));
        });
    }

}
