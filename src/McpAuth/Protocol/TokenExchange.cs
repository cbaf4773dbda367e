using System.Text;

namespace McpAuth.Protocol;

/// <summary>
/// An RFC 8693 §2.1 token exchange request. Tokens are secrets: <see cref="ToString"/> never prints them.
/// </summary>
/// <param name="SubjectToken">The token that represents the party on whose behalf the request is made.</param>
/// <param name="SubjectTokenType">Its type, one of the <see cref="TokenExchange"/> token type URIs.</param>
/// <param name="ActorToken">The token of the acting party, for delegation (optional).</param>
/// <param name="ActorTokenType">Its type; required exactly when <paramref name="ActorToken"/> is given.</param>
/// <param name="RequestedTokenType">The type of token wanted (optional).</param>
/// <param name="Audience">The logical name of the target service (optional).</param>
/// <param name="Resource">The URI of the target resource (RFC 8707, optional).</param>
/// <param name="Scope">Space-separated scopes (optional).</param>
public sealed record TokenExchangeRequest(
    string SubjectToken,
    string SubjectTokenType,
    string? ActorToken = null,
    string? ActorTokenType = null,
    string? RequestedTokenType = null,
    string? Audience = null,
    string? Resource = null,
    string? Scope = null)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("SubjectToken = ***, SubjectTokenType = ").Append(SubjectTokenType)
            .Append(", ActorToken = ").Append(ActorToken is null ? "null" : "***")
            .Append(", ActorTokenType = ").Append(ActorTokenType)
            .Append(", RequestedTokenType = ").Append(RequestedTokenType)
            .Append(", Audience = ").Append(Audience)
            .Append(", Resource = ").Append(Resource)
            .Append(", Scope = ").Append(Scope);
        return true;
    }
}

/// <summary>
/// The RFC 8693 §2.2.1 token exchange response. Tokens are secrets: <see cref="ToString"/> never prints them.
/// </summary>
/// <param name="AccessToken">The issued token (whatever its type; RFC 8693 keeps the member name).</param>
/// <param name="IssuedTokenType">The type of the issued token.</param>
/// <param name="TokenType">How to use it (<c>Bearer</c>, <c>DPoP</c>, or <c>N_A</c> when it is not an access token).</param>
/// <param name="ExpiresIn">Lifetime of the issued token, when sent.</param>
/// <param name="Scope">The granted scope, when sent.</param>
/// <param name="RefreshToken">A refresh token, when sent.</param>
public sealed record TokenExchangeResponse(
    string AccessToken,
    string IssuedTokenType,
    string? TokenType,
    TimeSpan? ExpiresIn,
    string? Scope,
    string? RefreshToken)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("AccessToken = ***, IssuedTokenType = ").Append(IssuedTokenType)
            .Append(", TokenType = ").Append(TokenType)
            .Append(", ExpiresIn = ").Append(ExpiresIn)
            .Append(", Scope = ").Append(Scope)
            .Append(", RefreshToken = ").Append(RefreshToken is null ? "null" : "***");
        return true;
    }
}

/// <summary>OAuth 2.0 Token Exchange (RFC 8693): build the request, read the response.</summary>
public static class TokenExchange
{
    /// <summary>RFC 8693 §2.1 <c>grant_type</c> value.</summary>
    public const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

    /// <summary>RFC 8693 §3: an OAuth 2.0 access token.</summary>
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    /// <summary>RFC 8693 §3: an OAuth 2.0 refresh token.</summary>
    public const string RefreshTokenType = "urn:ietf:params:oauth:token-type:refresh_token";

    /// <summary>RFC 8693 §3: an OpenID Connect ID token.</summary>
    public const string IdTokenType = "urn:ietf:params:oauth:token-type:id_token";

    /// <summary>RFC 8693 §3: a JWT.</summary>
    public const string JwtTokenType = "urn:ietf:params:oauth:token-type:jwt";

    /// <summary>
    /// An Identity Assertion JWT Authorization Grant (ID-JAG, draft-ietf-oauth-identity-assertion-authz-grant):
    /// requested from the enterprise IdP, then presented with the JWT bearer grant (<see cref="JwtBearerGrant"/>).
    /// </summary>
    public const string IdJagTokenType = "urn:ietf:params:oauth:token-type:id-jag";

    private const string What = "token exchange response";

    /// <summary>
    /// The token request parameters (RFC 8693 §2.1), optional ones only when set. Client authentication is added
    /// by the caller.
    /// </summary>
    /// <exception cref="ArgumentException">An empty subject token or type.</exception>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InvalidConfiguration"/> when an actor token comes without its type or a type
    /// without its token (RFC 8693 §2.1).
    /// </exception>
    public static IReadOnlyList<KeyValuePair<string, string>> BuildParameters(TokenExchangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.SubjectToken);
        ArgumentException.ThrowIfNullOrEmpty(request.SubjectTokenType);
        if (string.IsNullOrEmpty(request.ActorToken) != string.IsNullOrEmpty(request.ActorTokenType))
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, "actor_token and actor_token_type go together");
        }
        var parameters = new List<KeyValuePair<string, string>>(10) { new("grant_type", GrantType) };
        FormParameters.AddIfPresent(parameters, "resource", request.Resource);
        FormParameters.AddIfPresent(parameters, "audience", request.Audience);
        FormParameters.AddIfPresent(parameters, "scope", request.Scope);
        FormParameters.AddIfPresent(parameters, "requested_token_type", request.RequestedTokenType);
        parameters.Add(new("subject_token", request.SubjectToken));
        parameters.Add(new("subject_token_type", request.SubjectTokenType));
        FormParameters.AddIfPresent(parameters, "actor_token", request.ActorToken);
        FormParameters.AddIfPresent(parameters, "actor_token_type", request.ActorTokenType);
        return parameters;
    }

    /// <summary>
    /// Reads a token exchange response (RFC 8693 §2.2): <c>access_token</c> and <c>issued_token_type</c> are required;
    /// errors (§2.2.2) go through the shared classifier.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InvalidResponse"/> for a missing required member, a non-JSON body or a wrong type;
    /// the classified code (<see cref="McpAuthErrorCode.InvalidGrant"/>, <see cref="McpAuthErrorCode.InvalidClient"/>,
    /// <see cref="McpAuthErrorCode.TemporarilyUnavailable"/>, ...) for an error response.
    /// </exception>
    public static TokenExchangeResponse ReadResponse(OAuthResponse response)
    {
        var json = OAuthResponseReader.ReadJson(response, What);
        return ResponseMembers.Read(response, () => new TokenExchangeResponse(
            OAuthJson.RequiredString(json, "access_token"),
            OAuthJson.RequiredString(json, "issued_token_type"),
            OAuthJson.OptionalString(json, "token_type"),
            ResponseMembers.OptionalSeconds(json, "expires_in"),
            OAuthJson.OptionalString(json, "scope"),
            OAuthJson.OptionalString(json, "refresh_token")));
    }
}
