using McpAuth.Engine.Refresh;
using McpAuth.Storage;
using McpAuth.StoreContract;

namespace McpAuth.Tests.Refresh;

/// <summary>
/// The rotated refresh token exists only in memory until it is saved: a store outage at that moment must neither drop
/// it nor let another process refresh (it would replay the spent token and the authorization server would revoke the
/// whole grant). Until this design, a lasting outage ended the refresh with StoreUnavailable and the rotated token was
/// dropped; now it is served from memory and saved in the background under the refresh lease.
/// </summary>
public sealed class RotatedSaveTests
{
    private static CancellationToken None => CancellationToken.None;

    [Fact]
    public async Task A_store_outage_while_saving_the_rotated_token_is_retried_under_the_lease()
    {
        var store = new FlakyWritesStore();
        var (f, refresh) = await OutageAtSaveAsync(store, failedWrites: 2); // the outage hits exactly the save of the rotated credential

        var credential = await f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);

        Assert.Equal("at-2", credential.Tokens.AccessToken);
        Assert.Equal(1, refresh.Calls);
        Assert.Equal(2, store.FailedWrites);
        Assert.Equal("rt-2", (await f.StoredAsync())!.Tokens.RefreshToken);
        Assert.Equal(0, f.Coordinator.UnsavedCount);
    }

    [Fact]
    public async Task A_lasting_outage_serves_the_rotated_token_from_memory_and_saves_it_when_the_store_is_back()
    {
        var store = new FlakyWritesStore();
        var (f, refresh) = await OutageAtSaveAsync(store, failedWrites: int.MaxValue);

        var first = await f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        var again = await f.Coordinator.RefreshAfterRejectionAsync(RefreshFixture.Binding, "at-1", refresh.Callback, None);

        Assert.Equal("at-2", first.Tokens.AccessToken);
        Assert.Equal("at-2", again.Tokens.AccessToken);
        Assert.Equal(1, refresh.Calls);
        Assert.Equal(1, f.Coordinator.UnsavedCount);
        Assert.Equal("rt-1", (await f.StoredAsync())!.Tokens.RefreshToken);
        Assert.False(await f.Coordinator.WaitForUnsavedAsync(TimeSpan.FromMilliseconds(200), None));

        store.FailNextWrites = 0;

        Assert.True(await f.Coordinator.WaitForUnsavedAsync(TimeSpan.FromSeconds(10), None));
        Assert.Equal("rt-2", (await f.StoredAsync())!.Tokens.RefreshToken);
        Assert.Equal(0, f.Coordinator.UnsavedCount);
        Assert.Equal(1, refresh.Calls);
    }

    [Fact]
    public async Task While_a_rotated_token_is_unsaved_no_other_process_refreshes_the_credential()
    {
        var store = new FlakyWritesStore();
        var (f, refresh) = await OutageAtSaveAsync(store, failedWrites: int.MaxValue);
        await f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        var other = new RefreshCoordinator(new TokenVault(store), f.Time,
            RefreshFixture.FastOptions with { LockTimeout = TimeSpan.FromMilliseconds(300) });
        var otherRefresh = new CountingRefresh((_, _) => Task.FromResult(f.Tokens("at-replayed", "rt-replayed")));

        var error = await Assert.ThrowsAsync<McpAuthException>(
            () => other.GetValidAsync(RefreshFixture.Binding, otherRefresh.Callback, None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreLockTimeout, error.Code);
        Assert.True(error.IsTransient);
        Assert.Equal(0, otherRefresh.Calls);
        store.FailNextWrites = 0;
        Assert.True(await f.Coordinator.WaitForUnsavedAsync(TimeSpan.FromSeconds(10), None));
        var after = await other.GetValidAsync(RefreshFixture.Binding, otherRefresh.Callback, None);
        Assert.Equal("at-2", after.Tokens.AccessToken);
        Assert.Equal(0, otherRefresh.Calls);
    }

    [Fact]
    public async Task An_unsaved_token_that_expired_asks_its_callers_to_try_again_not_to_log_in()
    {
        var store = new FlakyWritesStore();
        var (f, refresh) = await OutageAtSaveAsync(store, failedWrites: int.MaxValue, lifetime: TimeSpan.FromMinutes(5));
        await f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        f.Time.Advance(TimeSpan.FromMinutes(6));

        var error = await Assert.ThrowsAsync<McpAuthException>(
            () => f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreUnavailable, error.Code);
        Assert.True(error.IsTransient);
        Assert.Equal(1, refresh.Calls);
        store.FailNextWrites = 0;
        Assert.True(await f.Coordinator.WaitForUnsavedAsync(TimeSpan.FromSeconds(10), None));
    }

    [Fact]
    public async Task An_outage_shorter_than_the_lease_keeps_it_with_the_holder_of_an_unsaved_token()
    {
        // A 1.5 s lease is renewed every 0.5 s. Two renewals fail (the database is down); the holder must renew as soon
        // as the store is back, not a third of the lease later: at 1.5 s the lease would have run out with the rotated
        // token unsaved, and the next process to take it would replay the spent refresh token (CI saw exactly that
        // once with a 6 s lease and a 2 s PostgreSQL outage).
        var store = new FlakyWritesStore();
        var lease = TimeSpan.FromMilliseconds(1500);
        var (f, refresh) = await OutageAtSaveAsync(store, failedWrites: int.MaxValue,
            options: RefreshFixture.FastOptions with { LeaseDuration = lease });
        await f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        store.FailNextRenewals = 2;

        await Task.Delay(lease + TimeSpan.FromMilliseconds(300));
        var taken = await store.TryAcquireLeaseAsync(StoreKeys.RefreshLock(RefreshFixture.Binding), "another-process", lease, None);

        Assert.Null(taken);
        Assert.Equal(2, store.FailedRenewals);
        Assert.Equal(1, f.Coordinator.UnsavedCount);
        store.FailNextWrites = 0;
        Assert.True(await f.Coordinator.WaitForUnsavedAsync(TimeSpan.FromSeconds(10), None));
        Assert.Equal("rt-2", (await f.StoredAsync())!.Tokens.RefreshToken);
    }

    /// <summary>
    /// A credential due for refresh in <paramref name="store"/>, and a refresh that rotates it to at-2 / rt-2 while the
    /// store starts refusing <paramref name="failedWrites"/> writes: the outage hits the save of the rotated token.
    /// </summary>
    internal static async Task<(RefreshFixture Fixture, CountingRefresh Refresh)> OutageAtSaveAsync(
        FlakyWritesStore store, int failedWrites, TimeSpan? lifetime = null, RefreshOptions? options = null)
    {
        var f = new RefreshFixture(store, options);
        await f.SaveAsync(f.Credential(TimeSpan.FromSeconds(-5)));
        var refresh = new CountingRefresh((_, _) =>
        {
            store.FailNextWrites = failedWrites;
            return Task.FromResult(f.Tokens("at-2", "rt-2", lifetime));
        });
        return (f, refresh);
    }
}
