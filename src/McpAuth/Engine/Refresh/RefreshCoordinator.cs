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
/// the refresh runs under the store lock of the credential and re-reads the store first, so a refresh another process
/// already did is used, not repeated (repeating it would replay a rotated refresh token).</para>
/// <para>The new tokens are saved before any caller gets the new access token; a response without a refresh token keeps
/// the old one. <c>invalid_grant</c> marks the credential <see cref="CredentialState.NeedsReauthorization"/> and throws
/// <see cref="McpAuthErrorCode.LoginRequired"/>; outages are retried with backoff and then throw
/// <see cref="McpAuthErrorCode.TemporarilyUnavailable"/>, leaving the stored credential as it was.</para>
/// </remarks>
public sealed class RefreshCoordinator
{
    private readonly TokenVault _vault;
    private readonly TimeProvider _time;
    private readonly RefreshOptions _options;
    private readonly ILogger _logger;
    private readonly CredentialEvents _events;
    private readonly AccessTokenCache _cache = new();
    private readonly SingleFlight<CredentialBinding, StoredCredential> _flights = new();
    private readonly TransientRetry _retry;

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
    }

    /// <summary>The lifecycle events this coordinator publishes (refreshing, refreshed, failures).</summary>
    public CredentialEvents Events => _events;

    /// <summary>
    /// The fast path for every request: the cached access token of <paramref name="binding"/> when it is not due for
    /// refresh. Takes well under 100 ns and allocates nothing. When false, call <see cref="GetValidAsync"/>.
    /// </summary>
    public bool TryGetCachedAccessToken(CredentialBinding binding, out string accessToken)
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
    /// <see cref="McpAuthErrorCode.StoreLockTimeout"/> when another holder kept the refresh lock too long; store errors.
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
        var stored = await _vault.GetCredentialAsync(binding, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.State == CredentialState.NeedsReauthorization)
        {
            throw new McpAuthException(McpAuthErrorCode.LoginRequired, stored is null ? "no stored credential" : "credential needs reauthorization");
        }
        if (IsUsable(stored, rejectedAccessToken))
        {
            Remember(stored);
            return stored;
        }
        return await _flights.Join(binding, () => RefreshUnderLockAsync(binding, refresh, rejectedAccessToken))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool IsUsable(StoredCredential credential, string? rejectedAccessToken) =>
        IsFresh(credential) && !string.Equals(credential.Tokens.AccessToken, rejectedAccessToken, StringComparison.Ordinal);

    private async Task<StoredCredential> RefreshUnderLockAsync(CredentialBinding binding, RefreshCallback refresh, string? rejectedAccessToken)
    {
        IAsyncDisposable held;
        try
        {
            held = await _vault.Store.LockAsync(StoreKeys.RefreshLock(binding), _options.LockTimeout, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreLockTimeout)
        {
            // A slow holder may still have finished the refresh we were waiting for.
            var latest = await _vault.GetCredentialAsync(binding, CancellationToken.None).ConfigureAwait(false);
            if (latest is not null && IsUsable(latest, rejectedAccessToken))
            {
                Remember(latest);
                return latest;
            }
            throw;
        }
        await using (held.ConfigureAwait(false))
        {
            // Re-read under the lock: another process may have refreshed (or logged out) while we waited.
            var current = await _vault.GetCredentialAsync(binding, CancellationToken.None).ConfigureAwait(false)
                ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired, "no stored credential");
            if (IsUsable(current, rejectedAccessToken))
            {
                RefreshLog.RefreshedElsewhere(_logger, binding.Issuer, binding.ClientId);
                Remember(current);
                return current;
            }
            if (current.State == CredentialState.NeedsReauthorization)
            {
                throw new McpAuthException(McpAuthErrorCode.LoginRequired, "credential needs reauthorization");
            }
            if (current.Tokens.RefreshToken is null)
            {
                await MarkNeedsReauthorizationAsync(current, McpAuthErrorCode.LoginRequired).ConfigureAwait(false);
                throw new McpAuthException(McpAuthErrorCode.LoginRequired, "no refresh token");
            }
            return await RefreshAsync(current, refresh, allowRotatedRetry: true, rejectedAccessToken).ConfigureAwait(false);
        }
    }

    private async Task<StoredCredential> RefreshAsync(StoredCredential current, RefreshCallback refresh, bool allowRotatedRetry,
        string? rejectedAccessToken)
    {
        var binding = current.Binding;
        RefreshLog.Refreshing(_logger, binding.Issuer, binding.ClientId);
        _events.Publish(CredentialEventKind.Refreshing, binding, CredentialState.Refreshing, current.Generation);
        TokenSet tokens;
        try
        {
            tokens = await _retry.RunAsync(current, refresh).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.InvalidGrant)
        {
            return await OnInvalidGrantAsync(current, refresh, allowRotatedRetry, rejectedAccessToken, e).ConfigureAwait(false);
        }
        catch (McpAuthException e)
        {
            RefreshLog.Failed(_logger, e.Code, binding.Issuer, binding.ClientId);
            _events.Publish(CredentialEventKind.RefreshFailed, binding, CredentialState.Expiring, current.Generation, e.Code);
            if (e.Code == McpAuthErrorCode.TemporarilyUnavailable && IsUnexpired(current) && rejectedAccessToken is null)
            {
                return current; // Within the skew but not expired: still usable while the server recovers.
            }
            throw;
        }
        var updated = Merge(current, tokens);
        await SaveRotatedAsync(updated).ConfigureAwait(false);
        Remember(updated);
        RefreshLog.Refreshed(_logger, binding.Issuer, binding.ClientId, updated.Generation);
        _events.Publish(CredentialEventKind.Refreshed, binding, CredentialState.Valid, updated.Generation);
        return updated;
    }

    /// <summary>
    /// Persists a refreshed credential while the refresh lock is still held. The old refresh token is spent, so the
    /// rotated one exists only here: releasing the lock before it is saved would let another process re-read and
    /// replay the spent token, and the authorization server would revoke the whole grant. Store outages are retried
    /// with backoff; the new access token is never handed out unsaved.
    /// </summary>
    private async Task SaveRotatedAsync(StoredCredential updated)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _vault.SaveCredentialAsync(updated, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreUnavailable && attempt < _options.MaxSaveRetries)
            {
                var delay = _retry.Delay(attempt, retryAfter: null) ?? _options.MaxBackoff;
                RefreshLog.RetryingSave(_logger, e.Code, updated.Binding.Issuer, updated.Binding.ClientId, attempt + 1, delay);
                await Task.Delay(delay, _time).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// invalid_grant: first look again, since a process that did not wait for our lock (or a new login) may have
    /// rotated the refresh token; only when the stored token is the one rejected is a new login needed.
    /// </summary>
    private async Task<StoredCredential> OnInvalidGrantAsync(StoredCredential used, RefreshCallback refresh, bool allowRotatedRetry,
        string? rejectedAccessToken, McpAuthException rejection)
    {
        var latest = await _vault.GetCredentialAsync(used.Binding, CancellationToken.None).ConfigureAwait(false);
        if (latest is not null && latest.State != CredentialState.NeedsReauthorization
            && !string.Equals(latest.Tokens.RefreshToken, used.Tokens.RefreshToken, StringComparison.Ordinal))
        {
            if (IsUsable(latest, rejectedAccessToken))
            {
                Remember(latest);
                return latest;
            }
            if (allowRotatedRetry && latest.Tokens.RefreshToken is not null)
            {
                return await RefreshAsync(latest, refresh, allowRotatedRetry: false, rejectedAccessToken).ConfigureAwait(false);
            }
        }
        RefreshLog.NeedsReauthorization(_logger, used.Binding.Issuer, used.Binding.ClientId);
        await MarkNeedsReauthorizationAsync(latest ?? used, McpAuthErrorCode.InvalidGrant).ConfigureAwait(false);
        throw new McpAuthException(McpAuthErrorCode.LoginRequired, "refresh token rejected", rejection)
        {
            StatusCode = rejection.StatusCode,
            OAuthError = rejection.OAuthError,
            OAuthErrorDescription = rejection.OAuthErrorDescription,
            Endpoint = rejection.Endpoint,
        };
    }

    /// <summary>Persists <see cref="CredentialState.NeedsReauthorization"/> so every process stops refreshing it.</summary>
    internal async Task<StoredCredential> MarkNeedsReauthorizationAsync(StoredCredential current, McpAuthErrorCode reason)
    {
        var marked = current with
        {
            State = CredentialState.NeedsReauthorization,
            Generation = current.Generation + 1,
            UpdatedAt = _time.GetUtcNow(),
        };
        await _vault.SaveCredentialAsync(marked, CancellationToken.None).ConfigureAwait(false);
        Forget(current.Binding);
        _events.Publish(CredentialEventKind.NeedsReauthorization, current.Binding, marked.State, marked.Generation, reason);
        return marked;
    }

    /// <summary>RFC 6749 §6: a response without refresh_token (or scope) keeps the previous one.</summary>
    private StoredCredential Merge(StoredCredential current, TokenSet tokens) => current with
    {
        Tokens = tokens with
        {
            RefreshToken = tokens.RefreshToken ?? current.Tokens.RefreshToken,
            Scope = tokens.Scope ?? current.Tokens.Scope,
            IdToken = tokens.IdToken ?? current.Tokens.IdToken,
            Extras = tokens.Extras ?? current.Tokens.Extras,
        },
        State = CredentialState.Valid,
        Generation = current.Generation + 1,
        UpdatedAt = _time.GetUtcNow(),
    };
}
