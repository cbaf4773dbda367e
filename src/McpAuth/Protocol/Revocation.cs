using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>OAuth 2.0 Token Revocation (RFC 7009): build the request, read the response.</summary>
public static class Revocation
{
    /// <summary>RFC 7009 §2.1 <c>token_type_hint</c> for an access token.</summary>
    public const string AccessTokenHint = "access_token";

    /// <summary>RFC 7009 §2.1 <c>token_type_hint</c> for a refresh token.</summary>
    public const string RefreshTokenHint = "refresh_token";

    private const string What = "revocation response";

    /// <summary>
    /// The revocation request parameters (RFC 7009 §2.1): <c>token</c> and <c>token_type_hint</c> when given.
    /// Client authentication is added by the caller.
    /// </summary>
    /// <exception cref="ArgumentException">An empty token.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> BuildParameters(string token, string? tokenTypeHint) =>
        FormParameters.TokenWithHint(token, tokenTypeHint);

    /// <summary>
    /// Reads a revocation response (RFC 7009 §2.2): HTTP 200 is success whatever the body (often empty), unless the
    /// body is a JSON error object (servers that answer errors with 200). Other 2xx statuses (204 from some servers)
    /// are not errors and count as success too. Everything else goes through the shared classifier: 503 is
    /// <see cref="McpAuthErrorCode.TemporarilyUnavailable"/> with its <c>Retry-After</c> (§2.2.1),
    /// <c>unsupported_token_type</c> is <see cref="McpAuthErrorCode.UnsupportedGrantType"/>.
    /// </summary>
    /// <exception cref="McpAuthException">The classified failure.</exception>
    public static void ReadResponse(OAuthResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccess || IsJsonError(response))
        {
            throw OAuthResponseReader.Classify(response, What);
        }
    }

    private static bool IsJsonError(OAuthResponse response)
    {
        if (!OAuthResponseReader.IsJson(response.MediaType) || response.Body.IsEmpty)
        {
            return false;
        }
        try
        {
            var json = OAuthJson.ParseObject(response.Body, What);
            return json.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String;
        }
        catch (McpAuthException)
        {
            // A 200 with a body that is not JSON is still a success: RFC 7009 ignores the body.
            return false;
        }
    }
}
