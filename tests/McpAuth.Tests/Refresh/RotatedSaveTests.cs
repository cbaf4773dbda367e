using McpAuth.Storage;

namespace McpAuth.Tests.Refresh;

/// <summary>
/// The rotated refresh token exists only in memory until it is saved: a store outage at that moment must not release
/// the lock with the spent token still on disk (another process would replay it and the grant would be revoked).
/// </summary>
public sealed class RotatedSaveTests
{
    [Fact]
    public async Task A_store_outage_while_saving_the_rotated_token_is_retried_under_the_lock()
    {
        var store = new FlakyWritesStore();
        var f = new RefreshFixture(store);
        await f.SaveAsync(f.Credential(TimeSpan.FromSeconds(-5)));
        var refresh = new CountingRefresh((_, _) =>
        {
            store.FailNextWrites = 2; // the outage hits exactly the save of the rotated credential
            return Task.FromResult(f.Tokens("at-2", "rt-2"));
        });

        var credential = await f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, CancellationToken.None);

        Assert.Equal("at-2", credential.Tokens.AccessToken);
        Assert.Equal(1, refresh.Calls);
        Assert.Equal(2, store.FailedWrites);
        Assert.Equal("rt-2", (await f.StoredAsync())!.Tokens.RefreshToken);
    }

    [Fact]
    public async Task A_lasting_outage_surfaces_as_store_unavailable_and_hands_out_no_unsaved_token()
    {
        var store = new FlakyWritesStore();
        var f = new RefreshFixture(store);
        await f.SaveAsync(f.Credential(TimeSpan.FromSeconds(-5)));
        var refresh = new CountingRefresh((_, _) =>
        {
            store.FailNextWrites = int.MaxValue;
            return Task.FromResult(f.Tokens("at-2", "rt-2"));
        });

        var e = await Assert.ThrowsAsync<McpAuthException>(
            () => f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, CancellationToken.None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreUnavailable, e.Code);
        Assert.Equal(RefreshFixture.FastOptions.MaxSaveRetries + 1, store.FailedWrites);
        Assert.False(f.Coordinator.TryGetCachedAccessToken(RefreshFixture.Binding, out _));
    }

    private sealed class FlakyWritesStore : ITokenStore
    {
        private readonly InMemoryTokenStore _inner = new();
        private int _failNext;
        private int _failed;

        public int FailNextWrites { set => Volatile.Write(ref _failNext, value); }

        public int FailedWrites => Volatile.Read(ref _failed);

        public string BackendName => "flaky";

        public ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _failNext) > 0)
            {
                Interlocked.Decrement(ref _failNext);
                Interlocked.Increment(ref _failed);
                throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, "write");
            }
            return _inner.WriteAsync(key, value, cancellationToken);
        }

        public ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken) => _inner.ReadAsync(key, cancellationToken);

        public ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken) => _inner.DeleteAsync(key, cancellationToken);

        public ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) =>
            _inner.ListAsync(kind, cancellationToken);

        public ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken) =>
            _inner.LockAsync(key, timeout, cancellationToken);
    }
}
