using McpAuth.Engine.Events;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Engine.Refresh;

/// <summary>
/// The refresh itself, under the credential's refresh lease: take the lease or use what another process saved, send
/// the refresh, save the rotated tokens as a compare-and-set (or keep them unsaved and serve them), and handle
/// <c>invalid_grant</c>. The class's remarks describe the guarantees.
/// </summary>
public sealed partial class RefreshCoordinator
{
    private async Task<StoredCredential> RefreshUnderLeaseAsync(CredentialBinding binding, RefreshCallback refresh, string? rejectedAccessToken)
    {
        if (_saver.TryGetUnsaved(binding, out var unsaved))
        {
            return ServeUnsaved(unsaved, rejectedAccessToken);
        }
        var (lease, current) = await LeaseOrLatestAsync(binding, rejectedAccessToken).ConfigureAwait(false);
        if (lease is null)
        {
            return current.Credential;
        }
        try
        {
            if (IsUsable(current.Credential, rejectedAccessToken))
            {
                RefreshLog.RefreshedElsewhere(_logger, binding.Issuer, binding.ClientId);
                Remember(current.Credential);
                return current.Credential;
            }
            if (current.Credential.Tokens.RefreshToken is null)
            {
                await MarkNeedsReauthorizationAsync(current.Credential, McpAuthErrorCode.LoginRequired).ConfigureAwait(false);
                throw new McpAuthException(McpAuthErrorCode.LoginRequired, "no refresh token");
            }
            return await RefreshAsync(current, refresh, lease, allowRotatedRetry: true, rejectedAccessToken).ConfigureAwait(false);
        }
        finally
        {
            if (!lease.HandedOver)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Takes the credential's refresh lease, re-reading the store first and after each wait (another holder may have
    /// refreshed meanwhile). Returns no lease and the stored credential when that one can be used: fresh, or, when the
    /// lease cannot be written (read-only or unreachable store) or waited for any longer, unexpired. Under the lease,
    /// the credential is read once more, so it is the one the conditional save will compare against.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.LoginRequired"/> when there is nothing to refresh; <see cref="McpAuthErrorCode.StoreUnavailable"/>
    /// when the lease cannot be written and the token has expired; <see cref="McpAuthErrorCode.StoreLockTimeout"/> when
    /// another holder kept the lease past <see cref="RefreshOptions.LockTimeout"/>.
    /// </exception>
    private async Task<(RefreshLease? Lease, VersionedCredential Current)> LeaseOrLatestAsync(CredentialBinding binding,
        string? rejectedAccessToken)
    {
        var key = StoreKeys.RefreshLock(binding);
        // Waits are timed by the real clock, as the store's lock waits were: a lease expires by the store's clock, not
        // by the engine's (which tests fast-forward).
        var started = TimeProvider.System.GetTimestamp();
        var pause = FirstLeasePoll;
        while (true)
        {
            var latest = await ReadRefreshableAsync(binding).ConfigureAwait(false);
            if (IsUsable(latest.Credential, rejectedAccessToken))
            {
                RefreshLog.RefreshedElsewhere(_logger, binding.Issuer, binding.ClientId);
                Remember(latest.Credential);
                return (null, latest);
            }
            RefreshLease? lease;
            try
            {
                lease = await RefreshLease.TryAcquireAsync(_vault.Store, key, _holder, _options.LeaseDuration).ConfigureAwait(false);
            }
            catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreUnavailable && IsUnexpiredAndNot(latest.Credential, rejectedAccessToken))
            {
                return (null, latest); // no refresh can start (a lease is a write); the token still works
            }
            if (lease is not null)
            {
                return (lease, await ReadUnderLeaseAsync(binding, lease).ConfigureAwait(false));
            }
            if (TimeProvider.System.GetElapsedTime(started) >= _options.LockTimeout)
            {
                return IsUnexpiredAndNot(latest.Credential, rejectedAccessToken)
                    ? (null, latest)
                    : throw new McpAuthException(McpAuthErrorCode.StoreLockTimeout, key.ToString());
            }
            await Task.Delay(pause, TimeProvider.System).ConfigureAwait(false);
            pause = pause * 2 < MaxLeasePoll ? pause * 2 : MaxLeasePoll;
        }
    }

    private static readonly TimeSpan FirstLeasePoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxLeasePoll = TimeSpan.FromSeconds(1);

    private async Task<VersionedCredential> ReadUnderLeaseAsync(CredentialBinding binding, RefreshLease lease)
    {
        try
        {
            return await ReadRefreshableAsync(binding).ConfigureAwait(false);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The stored credential and its version, when it exists and is not marked as needing a new login.</summary>
    private async Task<VersionedCredential> ReadRefreshableAsync(CredentialBinding binding)
    {
        var current = await _vault.GetVersionedCredentialAsync(binding, CancellationToken.None).ConfigureAwait(false)
            ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired, "no stored credential");
        return current.Credential.State == CredentialState.NeedsReauthorization
            ? throw new McpAuthException(McpAuthErrorCode.LoginRequired, "credential needs reauthorization")
            : current;
    }

    private async Task<StoredCredential> RefreshAsync(VersionedCredential versioned, RefreshCallback refresh, RefreshLease lease,
        bool allowRotatedRetry, string? rejectedAccessToken)
    {
        var current = versioned.Credential;
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
            return await OnInvalidGrantAsync(versioned, refresh, lease, allowRotatedRetry, rejectedAccessToken, e).ConfigureAwait(false);
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
        var outcome = await _saver.SaveAsync(updated, versioned.Version, lease, OnSavedLater).ConfigureAwait(false);
        if (outcome == SaveOutcome.Superseded)
        {
            Forget(binding); // the store holds another credential now: the next caller reads it
            return updated;
        }
        Remember(updated);
        if (outcome == SaveOutcome.Saved)
        {
            RefreshLog.Refreshed(_logger, binding.Issuer, binding.ClientId, updated.Generation);
            _events.Publish(CredentialEventKind.Refreshed, binding, CredentialState.Valid, updated.Generation);
        }
        return updated;
    }

    private void OnSavedLater(StoredCredential updated, bool saved)
    {
        if (!saved)
        {
            Forget(updated.Binding);
            return;
        }
        RefreshLog.Refreshed(_logger, updated.Binding.Issuer, updated.Binding.ClientId, updated.Generation);
        _events.Publish(CredentialEventKind.Refreshed, updated.Binding, CredentialState.Valid, updated.Generation);
    }

    /// <summary>
    /// invalid_grant: first look again, since a process that did not wait for our lease (or a new login) may have
    /// rotated the refresh token; only when the stored token is the one rejected is a new login needed. A store that
    /// cannot be read now fails with <see cref="McpAuthErrorCode.StoreUnavailable"/> ("try again"), not a login.
    /// </summary>
    private async Task<StoredCredential> OnInvalidGrantAsync(VersionedCredential used, RefreshCallback refresh, RefreshLease lease,
        bool allowRotatedRetry, string? rejectedAccessToken, McpAuthException rejection)
    {
        var binding = used.Credential.Binding;
        var latest = await _vault.GetVersionedCredentialAsync(binding, CancellationToken.None).ConfigureAwait(false);
        if (latest is not null && latest.Credential.State != CredentialState.NeedsReauthorization
            && !string.Equals(latest.Credential.Tokens.RefreshToken, used.Credential.Tokens.RefreshToken, StringComparison.Ordinal))
        {
            if (IsUsable(latest.Credential, rejectedAccessToken))
            {
                Remember(latest.Credential);
                return latest.Credential;
            }
            if (allowRotatedRetry && latest.Credential.Tokens.RefreshToken is not null)
            {
                return await RefreshAsync(latest, refresh, lease, allowRotatedRetry: false, rejectedAccessToken).ConfigureAwait(false);
            }
        }
        RefreshLog.NeedsReauthorization(_logger, binding.Issuer, binding.ClientId);
        await MarkNeedsReauthorizationAsync(latest?.Credential ?? used.Credential, McpAuthErrorCode.InvalidGrant).ConfigureAwait(false);
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
