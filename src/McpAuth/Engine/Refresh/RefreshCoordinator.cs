using McpAuth.Engine.Events;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpAuth.Engine.Refresh;

/// <summary>
/// Hands out a usable credential, refreshing it (RFC 6749 §6) shortly before it expires, once, however many threads
/// and processes ask at the same time.
/// </summary>
/// <remarks>
/// <para>Single flight: in this process, concurrent callers for one binding share one refresh task; across processes,
/// the refresh runs under the credential's refresh lease (<see cref="ITokenStore.TryAcquireLeaseAsync"/>), taken after
/// re-reading the store, so a refresh another process already did is used, not repeated (repeating it would replay a
/// rotated refresh token). The lease is a record in the store, not a connection or a file handle: it outlives a lost
/// database session, so no other process refreshes while this one may still be waiting on the authorization server,
/// and it expires after <see cref="RefreshOptions.LeaseDuration"/> when its holder dies.</para>
/// <para>The new tokens are saved as a compare-and-set on the version they were refreshed from and on the lease, so a
/// stale holder never overwrites a newer credential; a response without a refresh token keeps the old one. When the
/// store cannot take the save, the rotated tokens are never dropped: this process serves them and saves them in the
/// background under the lease (<see cref="UnsavedCount"/>, <see cref="WaitForUnsavedAsync"/>). Taking a lease is a
/// write, so while the store is read-only or down no refresh starts: unexpired tokens are still served, and callers
/// whose token expired get <see cref="McpAuthErrorCode.StoreUnavailable"/> ("try again"), never a login.
/// <c>invalid_grant</c> re-reads the store first (a newer token may be there), then marks the credential
/// <see cref="CredentialState.NeedsReauthorization"/> and throws <see cref="McpAuthErrorCode.LoginRequired"/>; outages of
/// the authorization server are retried with backoff and then throw <see cref="McpAuthErrorCode.TemporarilyUnavailable"/>,
/// leaving the stored credential as it was.</para>
/// </remarks>
public sealed partial class RefreshCoordinator
{
    private readonly TokenVault _vault;
    private readonly TimeProvider _time;
    private readonly RefreshOptions _options;
    private readonly ILogger _logger;
    private readonly CredentialEvents _events;
    private readonly AccessTokenCache _cache = new();
    private readonly SingleFlight<CredentialBinding, StoredCredential> _flights = new();
    private readonly TransientRetry _retry;
    private readonly RotatedSaver _saver;
    private readonly string _holder = RefreshLease.NewHolderId();

    /// <summary>Creates the coordinator over <paramref name="vault"/> (its store supplies the cross-process lock).</summary>
    /// <param name="vault">Where credentials are stored.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="options">Refresh timing (skew, lock timeout, retries).</param>
    /// <param name="logger">Safe-to-share logs; none when null.</param>
    /// <param name="events">Where lifecycle events are raised; a new hub when null.</param>
    public RefreshCoordinator(TokenVault vault, TimeProvider timeProvider, RefreshOptions options, ILogger? logger = null,
        CredentialEvents? events = null)
    {
        _vault = vault ?? throw new ArgumentNullException(nameof(vault));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _events = events ?? new CredentialEvents(timeProvider);
        _retry = new TransientRetry(_options, _time, _logger);
        _saver = new RotatedSaver(vault, _options, _time, _logger, _retry);
    }

    /// <summary>The lifecycle events this coordinator publishes (refreshing, refreshed, failures).</summary>
    public CredentialEvents Events => _events;

    /// <summary>
    /// The fast path for every request: the cached access token of <paramref name="binding"/> when it is not due for
    /// refresh. Takes well under 100 ns and allocates nothing. When false, call <see cref="GetValidAsync"/>.
    /// </summary>
    internal bool TryGetCachedAccessToken(CredentialBinding binding, out string accessToken)
    {
        if (_cache.TryGet(binding, _time.GetUtcNow().UtcTicks, out var credential))
        {
            accessToken = credential.Tokens.AccessToken;
            return true;
        }
        accessToken = null!;
        return false;
    }

    /// <summary>A credential for <paramref name="binding"/> that is not due for refresh, refreshing it first when needed.</summary>
    /// <param name="binding">The credential.</param>
    /// <param name="refresh">Sends the refresh_token grant; called at most once per needed refresh.</param>
    /// <param name="cancellationToken">Stops this caller waiting; a refresh already sent still completes and is saved.</param>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.LoginRequired"/> when there is no credential, no refresh token, or the refresh token
    /// was rejected; <see cref="McpAuthErrorCode.TemporarilyUnavailable"/> after the transient retries ran out;
    /// <see cref="McpAuthErrorCode.StoreLockTimeout"/> when another holder kept the refresh lease too long;
    /// <see cref="McpAuthErrorCode.StoreUnavailable"/> when the token has expired and the store cannot be written (or
    /// read) to refresh it, or this process's refreshed credential is not saved yet and has expired too: try again.
    /// </exception>
    public ValueTask<StoredCredential> GetValidAsync(CredentialBinding binding, RefreshCallback refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(refresh);
        return _cache.TryGet(binding, _time.GetUtcNow().UtcTicks, out var cached)
            ? ValueTask.FromResult(cached)
            : GetValidSlowAsync(binding, refresh, rejectedAccessToken: null, cancellationToken);
    }

    /// <summary>
    /// After a resource server rejected <paramref name="rejectedAccessToken"/> (HTTP 401), returns a credential with a
    /// different access token: the one another caller already refreshed to, or a new one from one refresh.
    /// </summary>
    /// <exception cref="McpAuthException">As <see cref="GetValidAsync"/>.</exception>
    public ValueTask<StoredCredential> RefreshAfterRejectionAsync(CredentialBinding binding, string rejectedAccessToken,
        RefreshCallback refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(rejectedAccessToken);
        ArgumentNullException.ThrowIfNull(refresh);
        return GetValidSlowAsync(binding, refresh, rejectedAccessToken, cancellationToken);
    }

    /// <summary>
    /// How many refreshed credentials this process holds that the store has not accepted yet (it was down, read-only or
    /// full when they were refreshed). Their refresh tokens exist nowhere else: a process should not exit while this is
    /// above zero (see <see cref="WaitForUnsavedAsync"/>).
    /// </summary>
    public int UnsavedCount => _saver.Count;

    /// <summary>
    /// Waits at most <paramref name="timeout"/> for every refreshed credential not saved yet to be saved (or superseded
    /// by a newer one in the store). For short-lived processes before they exit. True when none is left unsaved.
    /// </summary>
    public async Task<bool> WaitForUnsavedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _saver.WhenSavedAsync().WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        return _saver.Count == 0;
    }

    /// <summary>True while this process is refreshing <paramref name="binding"/>.</summary>
    public bool IsRefreshing(CredentialBinding binding) => _flights.IsRunning(binding);

    /// <summary>Whether <paramref name="credential"/> can be used now without a refresh.</summary>
    public bool IsFresh(StoredCredential credential) => _options.IsFresh(credential, _time.GetUtcNow());

    private bool IsUnexpired(StoredCredential credential) =>
        credential.Tokens.ExpiresAt is not { } expiresAt || _time.GetUtcNow() < expiresAt;

    /// <summary>Puts a just-saved credential in the cache (after an authorization).</summary>
    internal void Remember(StoredCredential credential) => _cache.Set(credential, _options.SkewFor(credential.Tokens));

    /// <summary>Drops the cached token of <paramref name="binding"/> (after a logout or a state change).</summary>
    public void Forget(CredentialBinding binding) => _cache.Remove(binding);

    private async ValueTask<StoredCredential> GetValidSlowAsync(CredentialBinding binding, RefreshCallback refresh,
        string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        if (_saver.TryGetUnsaved(binding, out var unsaved))
        {
            return ServeUnsaved(unsaved, rejectedAccessToken);
        }
        StoredCredential? stored;
        try
        {
            stored = await _vault.GetCredentialAsync(binding, cancellationToken).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreUnavailable
            && _cache.TryGetAny(binding, out var cached) && IsUnexpiredAndNot(cached, rejectedAccessToken))
        {
            return cached; // due for refresh but not expired: served while the store cannot be read
        }
        if (stored is null || stored.State == CredentialState.NeedsReauthorization)
        {
            throw new McpAuthException(McpAuthErrorCode.LoginRequired, stored is null ? "no stored credential" : "credential needs reauthorization");
        }
        if (IsUsable(stored, rejectedAccessToken))
        {
            Remember(stored);
            return stored;
        }
        return await _flights.Join(binding, () => RefreshUnderLeaseAsync(binding, refresh, rejectedAccessToken))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool IsUsable(StoredCredential credential, string? rejectedAccessToken) =>
        IsFresh(credential) && !string.Equals(credential.Tokens.AccessToken, rejectedAccessToken, StringComparison.Ordinal);

    private bool IsUnexpiredAndNot(StoredCredential credential, string? rejectedAccessToken) =>
        IsUnexpired(credential) && !string.Equals(credential.Tokens.AccessToken, rejectedAccessToken, StringComparison.Ordinal);

    /// <summary>
    /// A refreshed credential this process holds unsaved is served while its access token lasts; after that, callers
    /// are told to try again (the store must take it before another refresh may start), never to log in again.
    /// </summary>
    private StoredCredential ServeUnsaved(StoredCredential unsaved, string? rejectedAccessToken) =>
        IsUnexpiredAndNot(unsaved, rejectedAccessToken)
            ? unsaved
            : throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, "the refreshed credential is not saved yet");
}
