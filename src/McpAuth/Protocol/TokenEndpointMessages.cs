using System.Text.Json;

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
    /// <summary>
    /// Authorization code grant parameters with PKCE and the RFC 8707 resource (RFC 6749 §4.1.3, RFC 7636 §4.5), and
    /// <c>audience</c> when given (Auth0: https://auth0.com/docs/api/authentication#authorization-code-flow-with-pkce).
    /// </summary>
    public static List<KeyValuePair<string, string>> AuthorizationCode(
        string code, Uri redirectUri, string codeVerifier, string? resource, string? audience = null)
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
        FormParameters.AddIfPresent(list, "audience", audience);
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

    /// <summary>
    /// Client credentials parameters (RFC 6749 §4.4.2), with <c>audience</c> when given (Auth0 requires it:
    /// https://auth0.com/docs/api/authentication#client-credentials-flow).
    /// </summary>
    public static List<KeyValuePair<string, string>> ClientCredentials(string? scope, string? resource, string? audience = null)
    {
        var list = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        FormParameters.AddIfPresent(list, "scope", scope);
        FormParameters.AddIfPresent(list, "resource", resource);
        FormParameters.AddIfPresent(list, "audience", audience);
        return list;
    }

    /// <summary>
    /// Reads a token response (RFC 6749 §5.1); unknown members are ignored, <c>null</c> members read as absent and
    /// numbers sent as strings are read (a NetSuite-like server sends <c>"expires_in": "3600"</c>). The known
    /// deviations are normalised here, in the one reader every grant uses:
    /// <list type="bullet">
    /// <item>Slack's <c>oauth.v2.access</c> answers with the user's token nested in <c>authed_user</c>, its
    /// <c>token_type</c> <c>user</c> (https://api.slack.com/methods/oauth.v2.access); that object is read, and Slack's
    /// <c>user</c> and <c>bot</c> types (sent as <c>Authorization: Bearer</c>) become <c>Bearer</c>.</item>
    /// <item>When the response carries a refresh token, the server has already rotated the old one: an odd optional
    /// member (<c>expires_in</c>, <c>scope</c>, <c>id_token</c> of the wrong type) then reads as absent and a missing
    /// <c>token_type</c> as <c>Bearer</c>, so the new refresh token is kept rather than lost with the response.
    /// Without one, <c>token_type</c> is required (RFC 6749 §5.1) and a malformed member is an error.</item>
    /// </list>
    /// Errors, also inside an HTTP 200 (Slack, GitHub), go through <see cref="OAuthResponseReader"/>.
    /// </summary>
    /// <exception cref="McpAuthException">The classified error (InvalidGrant, InvalidClient, ...) or InvalidResponse.</exception>
    public static TokenResponse Read(OAuthResponse response)
    {
        var json = OAuthResponseReader.ReadJson(response, "token response", 200);
        return ResponseMembers.Read(response, () => ReadTokens(TokenObject(json)));
    }

    private static TokenResponse ReadTokens(JsonElement json)
    {
        var refreshToken = OAuthJson.OptionalString(json, "refresh_token");
        var rotated = refreshToken is not null;
        return new TokenResponse(
            OAuthJson.RequiredString(json, "access_token"),
            TokenType(json, rotated),
            ResponseMembers.Lenient(rotated, () => ResponseMembers.OptionalSeconds(json, "expires_in")),
            refreshToken,
            ResponseMembers.Lenient(rotated, () => OAuthJson.OptionalString(json, "scope")),
            ResponseMembers.Lenient(rotated, () => OAuthJson.OptionalString(json, "id_token")),
            ResponseMembers.Lenient(rotated, () => OAuthJson.OptionalString(json, "issued_token_type")));
    }

    /// <summary>
    /// The object that holds the tokens: Slack's <c>authed_user</c> when it carries an access token and the top level
    /// has none or only Slack's bot token (https://api.slack.com/authentication/oauth-v2#exchanging); else the response.
    /// </summary>
    private static JsonElement TokenObject(JsonElement json)
    {
        if (!json.TryGetProperty("authed_user", out var user) || user.ValueKind != JsonValueKind.Object
            || !user.TryGetProperty("access_token", out var nested) || nested.ValueKind != JsonValueKind.String)
        {
            return json;
        }
        var topLevel = json.TryGetProperty("access_token", out var access) && access.ValueKind == JsonValueKind.String;
        var bot = json.TryGetProperty("token_type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("bot");
        return topLevel && !bot ? json : user;
    }

    /// <summary>
    /// RFC 6749 §5.1 <c>token_type</c>. Slack's <c>user</c> and <c>bot</c> tokens are bearer tokens
    /// (https://api.slack.com/authentication/token-types); a response with a rotated refresh token but no type is
    /// taken as <c>Bearer</c> rather than dropped.
    /// </summary>
    private static string TokenType(JsonElement json, bool rotated)
    {
        var type = rotated ? ResponseMembers.Lenient(true, () => OAuthJson.OptionalString(json, "token_type")) ?? "Bearer"
            : OAuthJson.RequiredString(json, "token_type");
        return type is "user" or "bot" ? "Bearer" : type;
    }

}
