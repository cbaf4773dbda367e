using McpAuth.Storage;

namespace McpAuth.Engine.Refresh;

/// <summary>When to refresh and how hard to retry.</summary>
public sealed record RefreshOptions
{
    /// <summary>Refresh this long before the access token expires, so no request is sent with a token about to lapse.</summary>
    public TimeSpan Skew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after a transient failure (timeout, connection failure, 5xx, 429) before giving up.</summary>
    public int MaxTransientRetries { get; init; } = 3;

    /// <summary>The first retry's delay; each next one doubles, with jitter.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>No single delay is longer; a <c>Retry-After</c> longer than this ends the retries at once.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for another thread or process that is refreshing the same credential.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How many times saving a freshly rotated credential is retried when the store is unavailable, while the refresh
    /// lock is held (the spent refresh token must never be re-read and replayed by another process). Default 5.
    /// </summary>
    public int MaxSaveRetries { get; init; } = 5;

    /// <summary>
    /// How long a stored discovery record (the issuer and resource a server's credential is bound to) answers for the
    /// server before a refresh without asking it again: while younger, a refresh in a new process sends only the token
    /// request; when older, discovery runs again first (and a changed binding means a new login). Discovery also runs
    /// again whenever the authorization server rejects the client or the grant. Default one day.
    /// </summary>
    public TimeSpan DiscoveryMaxAge { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Whether <paramref name="credential"/> can be used at <paramref name="now"/> without a refresh: not marked as
    /// needing a new login, and not expiring within <see cref="Skew"/> (a token without a known expiry is fresh).
    /// </summary>
    public bool IsFresh(StoredCredential credential, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return credential.State != CredentialState.NeedsReauthorization
            && (credential.Tokens.ExpiresAt is not { } expiresAt || now < expiresAt - Skew);
    }

    internal void Validate()
    {
        if (Skew < TimeSpan.Zero || MaxTransientRetries < 0 || BaseBackoff < TimeSpan.Zero || MaxBackoff < BaseBackoff
            || LockTimeout <= TimeSpan.Zero || DiscoveryMaxAge < TimeSpan.Zero)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(RefreshOptions));
        }
    }
}
