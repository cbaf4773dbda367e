using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>
/// A store that is opened (connected, its schema migrated) by the first operation that needs it, under that operation's
/// cancellation token: the CLI builds its engine synchronously, before it knows whether the verb will touch the store.
/// A failed opening is tried again by the next operation. Every member forwards to the opened store.
/// </summary>
internal sealed class OpenOnFirstUseStore(string backendName, Func<CancellationToken, Task<ITokenStore>> open) : ITokenStore, IAsyncDisposable
{
    private readonly SemaphoreSlim _opening = new(1, 1);
    private ITokenStore? _store;

    public string BackendName => backendName;

    private async ValueTask<ITokenStore> StoreAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _store) is { } opened)
        {
            return opened;
        }
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _store ??= await open(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _opening.Release();
        }
    }

    public async ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ReadAsync(key, cancellationToken).ConfigureAwait(false);

    public async ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).WriteAsync(key, value, cancellationToken).ConfigureAwait(false);

    public async ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).DeleteAsync(key, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ListAsync(kind, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).LockAsync(key, timeout, cancellationToken).ConfigureAwait(false);

    public async ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false);

    public async ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false))
            .WriteIfVersionAsync(key, value, expectedVersion, lease, cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false))
            .TryAcquireLeaseAsync(key, holder, duration, cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).RenewLeaseAsync(lease, duration, cancellationToken).ConfigureAwait(false);

    public async ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ReleaseLeaseAsync(lease, cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable opened)
        {
            await opened.DisposeAsync().ConfigureAwait(false);
        }
        _opening.Dispose();
    }
}
