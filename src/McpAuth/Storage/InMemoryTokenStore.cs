using System.Collections.Concurrent;

namespace McpAuth.Storage;

/// <summary>A store that lives in this process only: for tests and for callers that persist nothing.</summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private readonly ConcurrentDictionary<StoreKey, VersionedEntry> _entries = new();
    private readonly ConcurrentDictionary<StoreKey, SemaphoreSlim> _locks = new();
    private readonly Dictionary<StoreKey, StoreLease> _leases = [];
    private readonly Lock _changes = new();
    private readonly TimeProvider _time;
    private long _lastVersion;

    /// <summary>Creates an empty store; leases expire by <paramref name="timeProvider"/> (the system clock when null).</summary>
    public InMemoryTokenStore(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc/>
    public string BackendName => "memory";

    /// <inheritdoc/>
    public ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryGetValue(key, out var entry) ? entry.Value.ToArray() : null);

    /// <inheritdoc/>
    public ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryGetValue(key, out var entry) ? entry with { Value = entry.Value.ToArray() } : null);

    /// <inheritdoc/>
    public ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        lock (_changes)
        {
            _entries[key] = new VersionedEntry(value.ToArray(), ++_lastVersion);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken)
    {
        lock (_changes)
        {
            var current = _entries.TryGetValue(key, out var entry) ? entry.Version : VersionedEntry.Absent;
            if (current != expectedVersion || lease is not null && !IsCurrent(lease))
            {
                return ValueTask.FromResult<long?>(null);
            }
            _entries[key] = new VersionedEntry(value.ToArray(), ++_lastVersion);
            return ValueTask.FromResult<long?>(_lastVersion);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken)
    {
        lock (_changes)
        {
            return ValueTask.FromResult(_entries.TryRemove(key, out _));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<StoreKey>>(_entries.Keys.Where(k => k.Kind == kind).ToList());

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var now = _time.GetUtcNow();
        lock (_changes)
        {
            _leases.TryGetValue(key, out var held);
            if (held is not null && held.ExpiresAt > now && held.Holder != holder)
            {
                return ValueTask.FromResult<StoreLease?>(null);
            }
            var lease = new StoreLease(key, holder, (held?.Fence ?? 0) + 1, now + duration);
            _leases[key] = lease;
            return ValueTask.FromResult<StoreLease?>(lease);
        }
    }

    /// <inheritdoc/>
    public ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_changes)
        {
            if (!IsCurrent(lease))
            {
                return ValueTask.FromResult<StoreLease?>(null);
            }
            var renewed = lease with { ExpiresAt = _time.GetUtcNow() + duration };
            _leases[lease.Key] = renewed;
            return ValueTask.FromResult<StoreLease?>(renewed);
        }
    }

    /// <inheritdoc/>
    public ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_changes)
        {
            if (IsCurrent(lease))
            {
                // Kept, expired, so the next holder's fence is still larger.
                _leases[lease.Key] = lease with { ExpiresAt = DateTimeOffset.MinValue };
            }
        }
        return ValueTask.CompletedTask;
    }

    private bool IsCurrent(StoreLease lease) =>
        _leases.TryGetValue(lease.Key, out var held) && held.Fence == lease.Fence && held.Holder == lease.Holder;

    /// <inheritdoc/>
    public async ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            throw new McpAuthException(McpAuthErrorCode.StoreLockTimeout, key.ToString());
        }
        return new Releaser(gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
            return ValueTask.CompletedTask;
        }
    }
}
