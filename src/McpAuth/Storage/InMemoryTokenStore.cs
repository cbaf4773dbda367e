using System.Collections.Concurrent;

namespace McpAuth.Storage;

/// <summary>A store that lives in this process only: for tests and for callers that persist nothing.</summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private readonly ConcurrentDictionary<StoreKey, byte[]> _entries = new();
    private readonly ConcurrentDictionary<StoreKey, SemaphoreSlim> _locks = new();

    /// <inheritdoc/>
    public string BackendName => "memory";

    /// <inheritdoc/>
    public ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryGetValue(key, out var value) ? value.ToArray() : null);

    /// <inheritdoc/>
    public ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        _entries[key] = value.ToArray();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryRemove(key, out _));

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<StoreKey>>(_entries.Keys.Where(k => k.Kind == kind).ToList());

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
