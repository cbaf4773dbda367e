using McpAuth.Storage;

namespace McpAuth.Engine.Refresh;

/// <summary>
/// Sends the refresh_token grant (RFC 6749 §6) for <paramref name="current"/> and returns the new tokens, with the
/// expiry made absolute. Supplied by the engine; the <see cref="RefreshCoordinator"/> decides when to call it and makes
/// sure it is called once however many callers need a token.
/// </summary>
/// <param name="current">The stored credential, read under the refresh lock (its refresh token is the latest one).</param>
/// <param name="cancellationToken">
/// Not any caller's token: once a refresh is sent its answer must be saved, or a rotated refresh token is lost.
/// The HTTP client's own timeout bounds the call.
/// </param>
/// <returns>The new tokens. <see cref="TokenSet.RefreshToken"/> null means "keep the old one" (RFC 6749 §6).</returns>
/// <exception cref="McpAuthException">
/// <see cref="McpAuthErrorCode.InvalidGrant"/> (and its aliases, mapped by the classifier) when the refresh token is
/// rejected; <see cref="McpAuthErrorCode.Timeout"/>, <see cref="McpAuthErrorCode.TransportFailure"/>,
/// <see cref="McpAuthErrorCode.TemporarilyUnavailable"/> (with <see cref="McpAuthException.RetryAfter"/>) for outages;
/// any other code for other failures.
/// </exception>
public delegate Task<TokenSet> RefreshCallback(StoredCredential current, CancellationToken cancellationToken);
