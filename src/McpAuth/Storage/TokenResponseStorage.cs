using McpAuth.Protocol;

namespace McpAuth.Storage;

/// <summary>
/// Builds the stored tokens from a token endpoint response: Storage reads the protocol's type, never the other way
/// round (Protocol depends on nothing above it).
/// </summary>
public static class TokenResponseStorage
{
    /// <summary>
    /// The tokens to store. When the response has no refresh token, <paramref name="previousRefreshToken"/> is kept
    /// (RFC 6749 §6: the server MAY issue a new one); when it has no scope, <paramref name="requestedScope"/> is
    /// assumed (RFC 6749 §5.1: omitted means as requested).
    /// </summary>
    public static TokenSet ToTokenSet(
        this TokenResponse response, DateTimeOffset now, string? previousRefreshToken = null, string? requestedScope = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new TokenSet
        {
            AccessToken = response.AccessToken,
            TokenType = response.TokenType,
            RefreshToken = response.RefreshToken ?? previousRefreshToken,
            ExpiresAt = response.ExpiresAt(now),
            IssuedAt = now,
            Scope = response.Scope ?? requestedScope,
            IdToken = response.IdToken,
        };
    }
}
