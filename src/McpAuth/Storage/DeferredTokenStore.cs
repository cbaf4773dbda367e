namespace McpAuth.Storage;

/// <summary>
/// A store opened (connected, its schema migrated) by its first operation rather than when it is made: a host builds
/// its engine before it knows whether the store will be needed, and a database that is down when the host starts does
/// not stop it. The opening runs once for every caller (one caller's cancellation stops only its own wait); a failed or
/// cancelled opening is tried again by the next operation. Every member forwards to the opened store. Used for the
/// PostgreSQL store by <c>AddMcpAuthPostgreSql</c> and by the CLI.
/// </summary>
public sealed class DeferredTokenStore : ITokenStore, IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<ITokenStore>> _open;
    private readonly Lock _gate = new();
    private Task<ITokenStore>? _store;

    /// <param name="backendName">The backend's name (<see cref="ITokenStore.BackendName"/>), known before it opens.</param>
    /// <param name="open">Opens the store; called with no cancellation, since its result serves every caller.</param>
    public DeferredTokenStore(string backendName, Func<CancellationToken, Task<ITokenStore>> open)
    {
        ArgumentException.ThrowIfNullOrEmpty(backendName);
        BackendName = backendName;
        _open = open ?? throw new ArgumentNullException(nameof(open));
    }

    /// <inheritdoc/>
    public string BackendName { get; }

    private Task<ITokenStore> StoreAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_store is null or { IsFaulted: true } or { IsCanceled: true })
            {
                _store = _open(CancellationToken.None);
            }
            return _store.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ReadAsync(key, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).WriteAsync(key, value, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).DeleteAsync(key, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ListAsync(kind, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).LockAsync(key, timeout, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false))
            .WriteIfVersionAsync(key, value, expectedVersion, lease, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false))
            .TryAcquireLeaseAsync(key, holder, duration, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).RenewLeaseAsync(lease, duration, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ReleaseLeaseAsync(lease, cancellationToken).ConfigureAwait(false);

    /// <summary>Disposes the opened store, if it opened.</summary>
    public async ValueTask DisposeAsync()
    {
        Task<ITokenStore>? store;
        lock (_gate)
        {
            store = _store;
        }
        switch (store is { IsCompletedSuccessfully: true } ? store.Result : null)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
