using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>An RFC 7662 §2.2 introspection response. Only <see cref="Active"/> is required.</summary>
/// <param name="Active">Whether the token is currently active.</param>
/// <param name="Scope">Space-separated scopes.</param>
/// <param name="ClientId">The client the token was issued to.</param>
/// <param name="Username">A human-readable identifier of the resource owner.</param>
/// <param name="TokenType">The token type (<c>Bearer</c>, <c>DPoP</c>, ...).</param>
/// <param name="Exp">Expiry.</param>
/// <param name="Iat">Issue time.</param>
/// <param name="Sub">The subject.</param>
/// <param name="Aud">The audiences (a single string on the wire becomes a one-element list).</param>
/// <param name="Iss">The issuer.</param>
public sealed record IntrospectionResponse(
    bool Active,
    string? Scope = null,
    string? ClientId = null,
    string? Username = null,
    string? TokenType = null,
    DateTimeOffset? Exp = null,
    DateTimeOffset? Iat = null,
    string? Sub = null,
    IReadOnlyList<string>? Aud = null,
    string? Iss = null);

/// <summary>OAuth 2.0 Token Introspection (RFC 7662): build the request, read the response.</summary>
public static class Introspection
{
    private const string What = "introspection response";

    /// <summary>
    /// The introspection request parameters (RFC 7662 §2.1): <c>token</c> and <c>token_type_hint</c> when given.
    /// Client (or resource server) authentication is added by the caller.
    /// </summary>
    /// <exception cref="ArgumentException">An empty token.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> BuildParameters(string token, string? tokenTypeHint) =>
        FormParameters.TokenWithHint(token, tokenTypeHint);

    /// <summary>Reads an introspection response (RFC 7662 §2.2); errors (§2.3) go through the shared classifier.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InvalidResponse"/> when <c>active</c> is missing or not a boolean, or the body is
    /// not JSON; the classified code for an error response.
    /// </exception>
    public static IntrospectionResponse ReadResponse(OAuthResponse response)
    {
        var json = OAuthResponseReader.ReadJson(response, What, 200);
        return ResponseMembers.Read(response, () => new IntrospectionResponse(
            OAuthJson.OptionalBool(json, "active")
                ?? throw new McpAuthException(McpAuthErrorCode.InvalidResponse, "required member 'active' is missing"),
            OAuthJson.OptionalString(json, "scope"),
            OAuthJson.OptionalString(json, "client_id"),
            OAuthJson.OptionalString(json, "username"),
            OAuthJson.OptionalString(json, "token_type"),
            ResponseMembers.OptionalNumericDate(json, "exp"),
            ResponseMembers.OptionalNumericDate(json, "iat"),
            OAuthJson.OptionalString(json, "sub"),
            ReadAudience(json),
            OAuthJson.OptionalString(json, "iss")));
    }

    /// <summary>RFC 7519 §4.1.3: <c>aud</c> is a string or an array of strings.</summary>
    private static IReadOnlyList<string>? ReadAudience(JsonElement json) =>
        json.TryGetProperty("aud", out var aud) && aud.ValueKind == JsonValueKind.String
            ? [aud.GetString()!]
            : OAuthJson.OptionalStringArray(json, "aud");
}
