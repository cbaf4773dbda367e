using System.Collections.Concurrent;

namespace McpAuth.Storage;

/// <summary>Coordination across threads and processes: refresh leases (lease files) and entry locks (OS file locks).</summary>
public sealed partial class FileTokenStore
{
    /// <inheritdoc/>
    /// <remarks>A lease record file under <c>{store}/leases</c>, by the wall clock (or the options' time provider).</remarks>
    public async ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holder);
        EnsureFolders();
        return await _leases.GuardAsync(key, () => _leases.TryAcquire(key, holder, duration), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        EnsureFolders();
        return await _leases.GuardAsync(lease.Key, () => _leases.Renew(lease, duration), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        EnsureFolders();
        await _leases.GuardAsync(lease.Key, () => _leases.Release(lease), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Excludes other threads (a gate per key, so waiting threads do not poll) and other processes (an OS lock on
    /// <c>{home}/store/locks/{Kind}-{id}.lock</c>). Lock files are never deleted: deleting one would let two holders in.
    /// </summary>
    public async ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var name = key.ToString();
        var gates = LazyInitializer.EnsureInitialized(ref _gates, () => new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.Ordinal));
        var gate = gates.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            throw new McpAuthException(McpAuthErrorCode.StoreLockTimeout, name);
        }
        try
        {
            EnsureFolders();
            var locks = Path.Combine(Folder, "locks");
            McpAuthHome.EnsurePrivateDirectory(locks);
            var remaining = timeout - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var file = await FileLock.AcquireAsync(Path.Combine(locks, StoreEntryKinds.NameOf(key.Kind) + "-" + key.Id + ".lock"), name, remaining,
                cancellationToken).ConfigureAwait(false);
            return new Releaser(file, gate);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class Releaser(FileStream file, SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                await file.DisposeAsync().ConfigureAwait(false);
                gate.Release();
            }
        }
    }
}
