using System.Collections.Concurrent;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Engine.Refresh;

/// <summary>What became of a refreshed credential's save.</summary>
internal enum SaveOutcome
{
    /// <summary>The store accepted it.</summary>
    Saved,

    /// <summary>The store could not be written; a background save keeps trying, and this process serves it meanwhile.</summary>
    Pending,

    /// <summary>The stored entry changed (a login, a logout) or another holder took the lease: the store keeps theirs.</summary>
    Superseded,
}

/// <summary>
/// Saves a refreshed credential under its refresh lease, as a compare-and-set on the version it was refreshed from and
/// on the lease's fence, so a stale holder never overwrites a newer credential. The old refresh token is spent, so the
/// rotated one must not be dropped: when the store cannot be written (down, read-only, disk full), the save is tried
/// <see cref="RefreshOptions.MaxSaveRetries"/> times while the caller waits, then handed to a background save that keeps
/// the lease and tries again (backoff up to a second) for as long as the process lives, until the store accepts it or
/// says that someone else's credential replaced it. Meanwhile this process serves the unsaved credential to its own
/// callers, and starts no other refresh of it.
/// </summary>
internal sealed partial class RotatedSaver(TokenVault vault, RefreshOptions options, TimeProvider time, ILogger logger, TransientRetry retry)
{
    private static readonly TimeSpan MaxBackgroundPause = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<CredentialBinding, Unsaved> _unsaved = new();

    private sealed record Unsaved(StoredCredential Credential, Task Saving);

    /// <summary>The refreshed credential of <paramref name="binding"/> still waiting to be saved, if any.</summary>
    public bool TryGetUnsaved(CredentialBinding binding, out StoredCredential credential)
    {
        var found = _unsaved.TryGetValue(binding, out var unsaved);
        credential = unsaved?.Credential!;
        return found;
    }

    /// <summary>How many refreshed credentials are waiting to be saved.</summary>
    public int Count => _unsaved.Count;

    /// <summary>Completes when every save pending now has ended (saved or superseded).</summary>
    public Task WhenSavedAsync() => Task.WhenAll(_unsaved.Values.Select(u => u.Saving));

    /// <summary>Saves <paramref name="updated"/>; on <see cref="SaveOutcome.Pending"/> the lease belongs to the background save.</summary>
    /// <param name="updated">The refreshed credential.</param>
    /// <param name="expectedVersion">The version of the entry it was refreshed from.</param>
    /// <param name="lease">The refresh lease, held.</param>
    /// <param name="savedLater">Called when a pending save ends: true when saved, false when superseded.</param>
    public async Task<SaveOutcome> SaveAsync(StoredCredential updated, long expectedVersion, RefreshLease lease,
        Action<StoredCredential, bool> savedLater)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await TrySaveAsync(updated, expectedVersion, lease).ConfigureAwait(false);
            }
            catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreUnavailable && attempt < options.MaxSaveRetries)
            {
                var delay = retry.Delay(attempt, retryAfter: null) ?? options.MaxBackoff;
                RefreshLog.RetryingSave(logger, e.Code, updated.Binding.Issuer, updated.Binding.ClientId, attempt + 1, delay);
                await Task.Delay(delay, time).ConfigureAwait(false);
            }
            catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreUnavailable)
            {
                lease.HandOver();
                var saving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _unsaved[updated.Binding] = new Unsaved(updated, saving.Task);
                LogPending(logger, updated.Binding.Issuer, updated.Binding.ClientId);
                _ = SaveInBackgroundAsync(updated, expectedVersion, lease, savedLater, saving);
                return SaveOutcome.Pending;
            }
        }
    }

    private async Task<SaveOutcome> TrySaveAsync(StoredCredential updated, long expectedVersion, RefreshLease lease)
    {
        var saved = await vault.TrySaveCredentialAsync(updated, expectedVersion, lease.Current, CancellationToken.None).ConfigureAwait(false);
        if (saved is null)
        {
            LogSuperseded(logger, updated.Binding.Issuer, updated.Binding.ClientId);
            return SaveOutcome.Superseded;
        }
        return SaveOutcome.Saved;
    }

    private async Task SaveInBackgroundAsync(StoredCredential updated, long expectedVersion, RefreshLease lease,
        Action<StoredCredential, bool> savedLater, TaskCompletionSource saving)
    {
        var outcome = SaveOutcome.Pending;
        try
        {
            for (var attempt = 0; outcome == SaveOutcome.Pending; attempt++)
            {
                var pause = retry.Delay(attempt, retryAfter: null) ?? MaxBackgroundPause;
                await Task.Delay(pause < MaxBackgroundPause ? pause : MaxBackgroundPause, time).ConfigureAwait(false);
                try
                {
                    outcome = await TrySaveAsync(updated, expectedVersion, lease).ConfigureAwait(false);
                }
                catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreUnavailable)
                {
                    // Still down or read-only: the credential stays served from memory, and the lease is kept.
                }
            }
        }
        finally
        {
            _unsaved.TryRemove(updated.Binding, out _);
            await lease.DisposeAsync().ConfigureAwait(false);
            if (outcome == SaveOutcome.Saved)
            {
                LogSavedLater(logger, updated.Binding.Issuer, updated.Binding.ClientId);
            }
            savedLater(updated, outcome == SaveOutcome.Saved);
            saving.SetResult();
        }
    }

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "The refreshed credential of client {ClientId} at {Issuer} could not be saved; serving it from memory and saving it in the background under its refresh lease")]
    private static partial void LogPending(ILogger logger, string issuer, string clientId);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Saved the refreshed credential of client {ClientId} at {Issuer} in the background")]
    private static partial void LogSavedLater(ILogger logger, string issuer, string clientId);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "The refreshed credential of client {ClientId} at {Issuer} was not saved: the stored credential changed or another holder took its refresh lease")]
    private static partial void LogSuperseded(ILogger logger, string issuer, string clientId);
}
