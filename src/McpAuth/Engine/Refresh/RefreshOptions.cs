using McpAuth.Storage;

namespace McpAuth.Engine.Refresh;

/// <summary>When to refresh and how hard to retry.</summary>
public sealed record RefreshOptions
{
    /// <summary>
    /// Refresh this long before the access token expires, so no request is sent with a token about to lapse; for a
    /// token whose lifetime is known, at most a quarter of that lifetime (see <see cref="SkewFor"/>). Default 60 s.
    /// </summary>
    public TimeSpan Skew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest share of a token's lifetime the refresh margin may take: a quarter (never more than half).</summary>
    public const int LifetimeFractionDivisor = 4;

    /// <summary>
    /// The refresh margin of <paramref name="tokens"/>: <see cref="Skew"/>, capped at a quarter of the token's lifetime
    /// when it is known (<see cref="TokenSet.IssuedAt"/> and <see cref="TokenSet.ExpiresAt"/>). A token that lives
    /// 60 s (Cloudflare workers-oauth-provider's shortest <c>accessTokenTTL</c>,
    /// https://github.com/cloudflare/workers-oauth-provider) is used for 45 s, not refreshed before every request as a
    /// 60 s margin would; a token that lives an hour keeps the 60 s margin.
    /// </summary>
    public TimeSpan SkewFor(TokenSet tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens is { IssuedAt: { } issuedAt, ExpiresAt: { } expiresAt } && expiresAt > issuedAt)
        {
            var share = (expiresAt - issuedAt) / LifetimeFractionDivisor;
            return share < Skew ? share : Skew;
        }
        return Skew;
    }

    /// <summary>Retries after a transient failure (timeout, connection failure, 5xx, 429) before giving up.</summary>
    public int MaxTransientRetries { get; init; } = 3;

    /// <summary>The first retry's delay; each next one doubles, with jitter.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>No single delay is longer; a <c>Retry-After</c> longer than this ends the retries at once.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to wait for another thread or process that is refreshing the same credential (holding its refresh
    /// lease). A caller whose token has expired then gets <see cref="McpAuthErrorCode.StoreLockTimeout"/> (transient).
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a refresh lease lasts unless renewed (it is renewed every third of this while its holder can reach the
    /// store). It must outlast the longest a refresh can take: the token request's timeout times its attempts
    /// (<see cref="MaxTransientRetries"/> + 1), the backoffs between them, and the inline saves. It is also how long a
    /// credential stays blocked when its holder dies or loses the store mid-refresh: no other process refreshes it
    /// before the lease expires, since the holder may have spent the refresh token already. Default 3 minutes: the
    /// default 30 s request timeout times 4 attempts, their backoffs, and two inline saves whose database commands may
    /// each wait 30 s, with room to spare.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How many times saving a freshly rotated credential is retried while its callers wait, when the store is
    /// unavailable. After that the callers get the new tokens and a background save keeps the lease and tries again
    /// until the store accepts them (the spent refresh token must never be re-read and replayed). Default 2.
    /// </summary>
    public int MaxSaveRetries { get; init; } = 2;

    /// <summary>
    /// How long a process about to end waits for refreshed credentials the store has not taken yet (it was down,
    /// read-only or full): a CLI command before it exits, the DI package's <c>McpAuthClients</c> when the host stops.
    /// Their new refresh tokens exist only in memory, so ending sooner loses them. Default 30 seconds.
    /// </summary>
    public TimeSpan ExitSaveWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stored discovery record (the issuer and resource a server's credential is bound to) answers for the
    /// server before a refresh without asking it again: while younger, a refresh in a new process sends only the token
    /// request; when older, discovery runs again first (and a changed binding means a new login). Discovery also runs
    /// again whenever the authorization server rejects the client or the grant. Default one day.
    /// </summary>
    public TimeSpan DiscoveryMaxAge { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Whether <paramref name="credential"/> can be used at <paramref name="now"/> without a refresh: not marked as
    /// needing a new login, and not expiring within its margin (<see cref="SkewFor"/>; a token without a known expiry
    /// is fresh).
    /// </summary>
    public bool IsFresh(StoredCredential credential, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return credential.State != CredentialState.NeedsReauthorization
            && (credential.Tokens.ExpiresAt is not { } expiresAt || now < expiresAt - SkewFor(credential.Tokens));
    }

    internal void Validate()
    {
        if (Skew < TimeSpan.Zero || MaxTransientRetries < 0 || BaseBackoff < TimeSpan.Zero || MaxBackoff < BaseBackoff
            || LockTimeout <= TimeSpan.Zero || DiscoveryMaxAge < TimeSpan.Zero || LeaseDuration <= TimeSpan.Zero || MaxSaveRetries < 0 || ExitSaveWait < TimeSpan.Zero)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(RefreshOptions));
        }
    }
}
