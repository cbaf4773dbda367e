using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>
/// An HTTP response from an authorization server, reduced to what the protocol layer reads. Built by the
/// orchestration layer after the body has been read under the size cap.
/// </summary>
public sealed record OAuthResponse(
    int StatusCode,
    string? MediaType,
    ReadOnlyMemory<byte> Body,
    Uri? Endpoint = null,
    IReadOnlyList<string>? WwwAuthenticate = null,
    TimeSpan? RetryAfter = null,
    string? DPoPNonce = null)
{
    /// <summary>True for a 2xx status (the body may still be an RFC 6749 §5.2 error).</summary>
    public bool IsSuccess => StatusCode is >= 200 and <= 299;
}

/// <summary>
/// The one error classifier every protocol step shares (after oauth4webapi): first a WWW-Authenticate challenge,
/// then an RFC 6749 §5.2 JSON error (also inside an HTTP 200, as Slack sends it), then the status, then
/// "not a conforming response".
/// </summary>
public static class OAuthResponseReader
{
    /// <summary>
    /// Non-standard <c>error</c> values some servers send for what RFC 6749 calls <c>invalid_grant</c>: the grant is
    /// dead and a new login is needed. Slack (HTTP 200, <c>"ok": false</c>): <c>invalid_refresh_token</c>,
    /// <c>token_expired</c>, <c>token_revoked</c>, <c>invalid_auth</c> (https://api.slack.com/methods/oauth.v2.access#errors).
    /// GitHub (HTTP 200): <c>bad_refresh_token</c>
    /// (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens)
    /// and <c>bad_verification_code</c> for a dead code
    /// (https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors).
    /// </summary>
    private static readonly HashSet<string> InvalidGrantAliases = new(StringComparer.Ordinal)
    {
        "invalid_grant", "invalid_refresh_token", "expired_refresh_token", "token_expired", "refresh_token_expired",
        "token_revoked", "invalid_auth", "bad_refresh_token", "bad_verification_code",
    };

    /// <summary>
    /// GitHub's <c>incorrect_client_credentials</c> (HTTP 200, same troubleshooting page) is RFC 6749 <c>invalid_client</c>.
    /// </summary>
    private static readonly HashSet<string> InvalidClientAliases = new(StringComparer.Ordinal)
    {
        "invalid_client", "unauthorized_client", "incorrect_client_credentials",
    };

    /// <summary>
    /// Returns the JSON object of a successful response, or throws the typed error it carries.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="what">A fixed name for the document (for error details), e.g. "token response".</param>
    /// <param name="successStatuses">Accepted statuses; default any 2xx.</param>
    /// <exception cref="McpAuthException">The classified failure.</exception>
    public static JsonElement ReadJson(OAuthResponse response, string what, params int[] successStatuses)
    {
        ArgumentNullException.ThrowIfNull(response);
        var success = successStatuses.Length == 0 ? response.IsSuccess : successStatuses.Contains(response.StatusCode);
        if (!success)
        {
            throw Classify(response, what);
        }
        if (!IsJson(response.MediaType))
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidResponse, $"{what} is not application/json")
            {
                StatusCode = response.StatusCode,
                Endpoint = response.Endpoint,
            };
        }
        var json = Parse(response, what);
        // Slack and others answer 200 with {"ok": false, "error": "..."}.
        if (json.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
            && !json.TryGetProperty("access_token", out _))
        {
            throw FromOAuthError(response, json);
        }
        return json;
    }

    /// <summary>Turns a failed response into the typed error it represents.</summary>
    public static McpAuthException Classify(OAuthResponse response, string what)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.WwwAuthenticate is { Count: > 0 } headers)
        {
            var challenge = WwwAuthenticate.TryParse(headers)?.FirstOrDefault(c => c.Error is not null);
            if (challenge is not null)
            {
                return Map(response, challenge.Error!, challenge.ErrorDescription);
            }
        }
        if (IsJson(response.MediaType) || LooksLikeJson(response.Body.Span))
        {
            try
            {
                var json = OAuthJson.ParseObject(response.Body, what);
                if (json.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String)
                {
                    return FromOAuthError(response, json);
                }
            }
            catch (McpAuthException)
            {
                // Not an RFC 6749 error body; fall through to the status.
            }
        }
        var code = response.StatusCode is 429 or >= 500 ? McpAuthErrorCode.TemporarilyUnavailable : McpAuthErrorCode.InvalidResponse;
        return new McpAuthException(code, $"{what}: HTTP {response.StatusCode}")
        {
            StatusCode = response.StatusCode,
            Endpoint = response.Endpoint,
            RetryAfter = response.RetryAfter,
        };
    }

    /// <summary>Maps an RFC 6749 <c>error</c> value to its stable code.</summary>
    public static McpAuthErrorCode MapErrorCode(string error) => error switch
    {
        _ when InvalidGrantAliases.Contains(error) => McpAuthErrorCode.InvalidGrant,
        _ when InvalidClientAliases.Contains(error) => McpAuthErrorCode.InvalidClient,
        "temporarily_unavailable" or "server_error" or "slow_down" or "ratelimited" => McpAuthErrorCode.TemporarilyUnavailable,
        "unsupported_grant_type" or "unsupported_token_type" => McpAuthErrorCode.UnsupportedGrantType,
        _ => McpAuthErrorCode.OAuthError,
    };

    private static McpAuthException FromOAuthError(OAuthResponse response, JsonElement json)
    {
        string error;
        try
        {
            error = OAuthJson.Text(json.GetProperty("error"), "error");
        }
        catch (McpAuthException)
        {
            error = "(unprintable error code)";
        }
        string? description = null;
        if (json.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String)
        {
            try
            {
                description = OAuthJson.Text(d, "error_description");
            }
            catch (McpAuthException)
            {
                // An escaped lone surrogate: no description rather than no error.
            }
        }
        return Map(response, error, description);
    }

    private static McpAuthException Map(OAuthResponse response, string error, string? description) =>
        new(MapErrorCode(error), SafeErrorToken(error))
        {
            StatusCode = response.StatusCode,
            OAuthError = error,
            OAuthErrorDescription = description,
            Endpoint = response.Endpoint,
            RetryAfter = response.RetryAfter,
        };

    /// <summary>RFC 6749 error codes are NQSCHAR; anything else is not echoed into a message.</summary>
    private static string SafeErrorToken(string error) =>
        error.Length <= 64 && error.All(c => c is >= '\x20' and <= '\x7e' and not '"' and not '\\') ? error : "(unprintable error code)";

    private static JsonElement Parse(OAuthResponse response, string what)
    {
        try
        {
            return OAuthJson.ParseObject(response.Body, what);
        }
        catch (McpAuthException e)
        {
            throw new McpAuthException(e.Code, $"{what} is not a JSON object", e)
            {
                StatusCode = response.StatusCode,
                Endpoint = response.Endpoint,
            };
        }
    }

    internal static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    private static bool LooksLikeJson(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] == (byte)'{';
    }
}
