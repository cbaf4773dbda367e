using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>
/// Server-provided DPoP nonces (RFC 9449 §8 for authorization servers, §9 for resource servers): a server that wants
/// a nonce answers with the <c>use_dpop_nonce</c> error and a <c>DPoP-Nonce</c> header; the client retries once
/// with that nonce in a new proof.
/// </summary>
public static class DPoPNonce
{
    /// <summary>The response header carrying the nonce.</summary>
    public const string HeaderName = "DPoP-Nonce";

    /// <summary>The error code asking for a nonce.</summary>
    public const string ErrorCode = "use_dpop_nonce";

    /// <summary>
    /// True when <paramref name="response"/> is a nonce challenge: the <c>use_dpop_nonce</c> error either in a
    /// JSON error body (authorization server, RFC 9449 §8, HTTP 400) or in a <c>WWW-Authenticate</c> challenge
    /// (resource server, RFC 9449 §9, HTTP 401).
    /// </summary>
    public static bool IsNonceChallenge(OAuthResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccess)
        {
            return false;
        }
        return ChallengeAsksForNonce(response) || BodyAsksForNonce(response);
    }

    /// <summary>
    /// The nonce to retry with: <see cref="OAuthResponse.DPoPNonce"/> when the response is a nonce challenge and
    /// carries one, otherwise null (a challenge without a nonce cannot be answered; classify it as an error).
    /// </summary>
    public static string? GetRetryNonce(OAuthResponse response) =>
        IsNonceChallenge(response) && !string.IsNullOrEmpty(response.DPoPNonce) ? response.DPoPNonce : null;

    private static bool ChallengeAsksForNonce(OAuthResponse response)
    {
        if (response.WwwAuthenticate is not { Count: > 0 } headers)
        {
            return false;
        }
        var challenges = WwwAuthenticate.TryParse(headers);
        return challenges is not null && challenges.Any(c => c.Error == ErrorCode);
    }

    private static bool BodyAsksForNonce(OAuthResponse response)
    {
        if (!OAuthResponseReader.IsJson(response.MediaType))
        {
            return false;
        }
        try
        {
            var json = OAuthJson.ParseObject(response.Body, "error response");
            return json.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
                && error.ValueEquals(ErrorCode);
        }
        catch (McpAuthException)
        {
            return false;
        }
    }
}
