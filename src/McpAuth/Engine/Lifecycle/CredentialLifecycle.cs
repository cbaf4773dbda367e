using McpAuth.Engine.Events;
using McpAuth.Engine.Refresh;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Engine.Lifecycle;

/// <summary>A credential's status, read from its lifecycle (never guessed by decoding a token).</summary>
/// <param name="Binding">Which credential.</param>
/// <param name="State">Valid, Expiring (due for refresh), Refreshing (in this process), NeedsReauthorization or Released.</param>
/// <param name="Generation">Incremented on every saved change; Released is one past the last saved generation.</param>
/// <param name="ExpiresAt">The access token's expiry, when known.</param>
/// <param name="HasRefreshToken">Whether a refresh token is stored.</param>
/// <param name="Scope">The granted scope, when known.</param>
public sealed record CredentialStatus(
    CredentialBinding Binding,
    CredentialState State,
    long Generation,
    DateTimeOffset? ExpiresAt,
    bool HasRefreshToken,
    string? Scope);

/// <summary>
/// What the engine calls to keep credentials: save after an authorization, get a valid one (refreshing once when due),
/// mark one as needing a new login, release (clear) one, read its status, and observe all of it through
/// <see cref="Events"/>. Every change is made under the credential's store lock, so it cannot interleave with a refresh
/// in this or another process.
/// </summary>
public sealed partial class CredentialLifecycle
{
    private readonly TokenVault _vault;
    private readonly TimeProvider _time;
    private readonly RefreshOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the lifecycle over <paramref name="vault"/>.</summary>
    /// <param name="vault">Where credentials are stored.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="options">Refresh timing; defaults when null.</param>
    /// <param name="logger">Safe-to-share logs; none when null.</param>
    public CredentialLifecycle(TokenVault vault, TimeProvider? timeProvider = null, RefreshOptions? options = null, ILogger? logger = null)
    {
        _vault = vault ?? throw new ArgumentNullException(nameof(vault));
        _time = timeProvider ?? TimeProvider.System;
        _options = options ?? new RefreshOptions();
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        Events = new CredentialEvents(_time);
        Refresh = new RefreshCoordinator(vault, _time, _options, logger, Events);
    }

    /// <summary>Completed authorizations, refreshes, failures and releases; subscribe or wait for one binding.</summary>
    public CredentialEvents Events { get; }

    /// <summary>The refresh coordinator (single flight, cache).</summary>
    public RefreshCoordinator Refresh { get; }

    /// <summary>The vault it stores into.</summary>
    public TokenVault Vault => _vault;

    /// <summary>
    /// The one save of a new credential, whatever made it (a login of any grant, an import): under the credential's
    /// store lock, with the generation after the stored one (the incoming generation, state and time are ignored),
    /// then makes its client the active one for (profile, resource, issuer) unless it already is, and announces
    /// <see cref="CredentialEventKind.Authorized"/>. A corrupt stored credential of the same binding is replaced, with a
    /// warning naming it: the user has just logged in to that very binding.
    /// </summary>
    /// <exception cref="McpAuthException">Store errors; nothing is announced when the save fails.</exception>
    public async ValueTask<StoredCredential> SaveAuthorizationAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var binding = credential.Binding;
        var held = await LockAsync(binding, cancellationToken).ConfigureAwait(false);
        await using (held.ConfigureAwait(false))
        {
            var previous = await TryReadAsync(binding, cancellationToken).ConfigureAwait(false);
            var saved = credential with
            {
                State = CredentialState.Valid,
                Generation = (previous?.Generation ?? 0) + 1,
                UpdatedAt = _time.GetUtcNow(),
            };
            await _vault.SaveCredentialAsync(saved, cancellationToken).ConfigureAwait(false);
            if (await TryReadActiveClientAsync(binding, cancellationToken).ConfigureAwait(false) != binding.ClientId)
            {
                await _vault.SetActiveClientIdAsync(binding.Profile, binding.Resource, binding.Issuer, binding.ClientId, cancellationToken)
                    .ConfigureAwait(false);
            }
            Refresh.Remember(saved);
            Events.Publish(CredentialEventKind.Authorized, binding, CredentialState.Valid, saved.Generation);
            return saved;
        }
    }

    /// <inheritdoc cref="RefreshCoordinator.GetValidAsync"/>
    public ValueTask<StoredCredential> GetValidAsync(CredentialBinding binding, RefreshCallback refresh, CancellationToken cancellationToken) =>
        Refresh.GetValidAsync(binding, refresh, cancellationToken);

    /// <summary>
    /// Marks the credential as needing a new login (e.g. the resource server rejected it and no refresh helps).
    /// Every process then stops using and refreshing it. False when there is no such credential.
    /// </summary>
    public async ValueTask<bool> MarkNeedsReauthorizationAsync(CredentialBinding binding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var held = await LockAsync(binding, cancellationToken).ConfigureAwait(false);
        await using (held.ConfigureAwait(false))
        {
            var current = await _vault.GetCredentialAsync(binding, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return false;
            }
            await Refresh.MarkNeedsReauthorizationAsync(current, McpAuthErrorCode.LoginRequired).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>
    /// Clears the credential (and the active-client index when it points at this client) and releases its lifecycle:
    /// both happen, or, when the store fails, neither (the exception propagates and nothing is announced).
    /// Revoking the tokens at the server first is the caller's job. False when nothing was stored.
    /// </summary>
    public async ValueTask<bool> ReleaseAsync(CredentialBinding binding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var held = await LockAsync(binding, cancellationToken).ConfigureAwait(false);
        await using (held.ConfigureAwait(false))
        {
            var previous = await TryReadAsync(binding, cancellationToken).ConfigureAwait(false);
            var active = await _vault.GetActiveClientIdAsync(binding.Profile, binding.Resource, binding.Issuer, cancellationToken)
                .ConfigureAwait(false);
            var deleted = await _vault.DeleteCredentialAsync(binding, cancellationToken).ConfigureAwait(false);
            if (active == binding.ClientId)
            {
                await _vault.ClearActiveClientAsync(binding.Profile, binding.Resource, binding.Issuer, cancellationToken).ConfigureAwait(false);
            }
            Refresh.Forget(binding);
            Events.TryGetState(binding, out _, out var knownGeneration);
            var generation = Math.Max(previous?.Generation ?? 0, knownGeneration) + 1;
            Events.Publish(CredentialEventKind.Released, binding, CredentialState.Released, generation);
            return deleted;
        }
    }

    /// <summary>The status of one credential, or null when none is stored and none was released in this process.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreEntryCorrupt"/> naming the entry; store errors.</exception>
    internal async ValueTask<CredentialStatus?> GetStatusAsync(CredentialBinding binding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var stored = await _vault.GetCredentialAsync(binding, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return Events.TryGetState(binding, out var state, out var generation) && state == CredentialState.Released
                ? new CredentialStatus(binding, CredentialState.Released, generation, null, false, null)
                : null;
        }
        return StatusOf(stored);
    }

    /// <summary>
    /// The status of every stored credential (for <c>status</c>), and the entries that could not be read: those are
    /// reported, never deleted.
    /// </summary>
    internal async ValueTask<(IReadOnlyList<CredentialStatus> Statuses, IReadOnlyList<StoreKey> Unreadable)> ListStatusesAsync(
        CancellationToken cancellationToken)
    {
        var (credentials, unreadable) = await _vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
        return (credentials.Select(StatusOf).ToList(), unreadable);
    }

    private CredentialStatus StatusOf(StoredCredential stored) =>
        new(stored.Binding, StateOf(stored), stored.Generation, stored.Tokens.ExpiresAt, stored.Tokens.RefreshToken is not null,
            stored.Tokens.Scope);

    /// <summary>The state of <paramref name="stored"/> now: as marked, refreshing in this process, valid, expiring, or needing a login.</summary>
    public CredentialState StateOf(StoredCredential stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.State == CredentialState.NeedsReauthorization)
        {
            return CredentialState.NeedsReauthorization;
        }
        if (Refresh.IsRefreshing(stored.Binding))
        {
            return CredentialState.Refreshing;
        }
        if (Refresh.IsFresh(stored))
        {
            return CredentialState.Valid;
        }
        var expired = stored.Tokens.ExpiresAt <= _time.GetUtcNow();
        return expired && stored.Tokens.RefreshToken is null ? CredentialState.NeedsReauthorization : CredentialState.Expiring;
    }

    private ValueTask<IAsyncDisposable> LockAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        _vault.Store.LockAsync(StoreKeys.RefreshLock(binding), _options.LockTimeout, cancellationToken);

    /// <summary>Reads the previous credential for its generation; a corrupt one is being replaced, so it counts as none.</summary>
    private async ValueTask<StoredCredential?> TryReadAsync(CredentialBinding binding, CancellationToken cancellationToken)
    {
        try
        {
            return await _vault.GetCredentialAsync(binding, cancellationToken).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code is McpAuthErrorCode.StoreEntryCorrupt or McpAuthErrorCode.StoreKeyUnavailable)
        {
            LifecycleLog.ReplacingUnreadableCredential(_logger, binding.Resource, binding.Issuer, binding.ClientId, e.Code);
            return null;
        }
    }

    /// <summary>The active client of the binding's (profile, resource, issuer); null when none or unreadable (then overwritten).</summary>
    private async ValueTask<string?> TryReadActiveClientAsync(CredentialBinding binding, CancellationToken cancellationToken)
    {
        try
        {
            return await _vault.GetActiveClientIdAsync(binding.Profile, binding.Resource, binding.Issuer, cancellationToken).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreEntryCorrupt)
        {
            return null;
        }
    }
}

/// <summary>Lifecycle log messages: bindings and codes, never tokens.</summary>
internal static partial class LifecycleLog
{
    [LoggerMessage(1, LogLevel.Warning, "The stored credential for {Resource} (client {ClientId} at {Issuer}) cannot be read ({Code}); the new one replaces it")]
    public static partial void ReplacingUnreadableCredential(ILogger logger, string resource, string issuer, string clientId, McpAuthErrorCode code);
}
