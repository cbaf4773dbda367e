using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>
/// Reads claims of a JWT (RFC 7519) WITHOUT verifying its signature: only for a client's own bookkeeping of a token it
/// received over TLS and will forward (when an ID token expires), never to make a trust decision.
/// </summary>
internal static class UnverifiedJwt
{
    /// <summary>The <c>exp</c> claim (RFC 7519 §4.1.4) of a compact JWS, or null when absent or not a readable JWT.</summary>
    public static DateTimeOffset? ReadExpiry(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        try
        {
            using var payload = JsonDocument.Parse(Jws.Base64UrlDecode(parts[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object
                && payload.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
