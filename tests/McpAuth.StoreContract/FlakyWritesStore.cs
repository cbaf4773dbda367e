using McpAuth;
using McpAuth.Storage;

namespace McpAuth.StoreContract;

/// <summary>
/// An in-memory store whose entry writes fail with <see cref="McpAuthErrorCode.StoreUnavailable"/> while asked to (a
/// disk that filled up, a database gone read-only after the refresh lease was taken): for the tests of what happens to
/// a rotated refresh token the store cannot take. Over an in-memory store, or over a real one (the file store under a
/// full disk); reads, locks and leases are the inner store's.
/// </summary>
public sealed class FlakyWritesStore(ITokenStore? inner = null) : ITokenStore
{
    private readonly ITokenStore _inner = inner ?? new InMemoryTokenStore();
    private int _failNext;
    private int _failNextRenewals;
    private int _failed;

    public int FailNextWrites { set => Volatile.Write(ref _failNext, value); }

    /// <summary>Lease renewals to refuse with <see cref="McpAuthErrorCode.StoreUnavailable"/> (a database outage seen by the lease holder).</summary>
    public int FailNextRenewals { set => Volatile.Write(ref _failNextRenewals, value); }

    public int FailedRenewals { get; private set; }

    public int FailedWrites => Volatile.Read(ref _failed);

    public string BackendName => _inner.BackendName;

    public ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        FailIfAsked();
        return _inner.WriteAsync(key, value, cancellationToken);
    }

    public ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken)
    {
        FailIfAsked();
        return _inner.WriteIfVersionAsync(key, value, expectedVersion, lease, cancellationToken);
    }

    private void FailIfAsked()
    {
        if (Volatile.Read(ref _failNext) > 0)
        {
            Interlocked.Decrement(ref _failNext);
            Interlocked.Increment(ref _failed);
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, "write", new IOException("No space left on device"));
        }
    }

    public ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken) => _inner.ReadAsync(key, cancellationToken);

    public ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken) =>
        _inner.ReadVersionedAsync(key, cancellationToken);

    public ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken) => _inner.DeleteAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) =>
        _inner.ListAsync(kind, cancellationToken);

    public ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken) =>
        _inner.LockAsync(key, timeout, cancellationToken);

    // Leases are held in the store's own memory here: only the entry writes (and, when asked, renewals) fail, as when a
    // disk fills up after the lease was taken (the lease tests of the store contract cover a store that refuses leases).
    public ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        _inner.TryAcquireLeaseAsync(key, holder, duration, cancellationToken);

    public ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _failNextRenewals) >= 0)
        {
            FailedRenewals++;
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, "lease", new IOException("Connection refused"));
        }
        Volatile.Write(ref _failNextRenewals, 0);
        return _inner.RenewLeaseAsync(lease, duration, cancellationToken);
    }

    public ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken) => _inner.ReleaseLeaseAsync(lease, cancellationToken);
}
