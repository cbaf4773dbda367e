using McpAuth.Engine.Refresh;
using McpAuth.Storage;
using McpAuth.StoreContract;
using McpAuth.Tests.Storage;

namespace McpAuth.Tests.Refresh;

/// <summary>
/// The file store under a full or read-only disk during a refresh: the rotated token stays in the refreshing process
/// (served, saved when the disk takes it), and another process sharing the store (a second handle on the same home)
/// waits on the lease file instead of replaying the spent refresh token.
/// </summary>
public sealed class FileStoreFaultTests : IDisposable
{
    private readonly TempHome _home = new();

    private static CancellationToken None => CancellationToken.None;

    [Fact]
    public async Task A_disk_that_refuses_the_save_keeps_the_rotated_token_and_keeps_the_other_process_from_refreshing()
    {
        var disk = new FlakyWritesStore(FileTokenStore.Open(new FileTokenStoreOptions { Home = _home.Path }));
        // The disk fills up while the authorization server rotates the token.
        var (f, refresh) = await RotatedSaveTests.OutageAtSaveAsync(disk, failedWrites: int.MaxValue);
        var otherProcess = new RefreshCoordinator(new TokenVault(FileTokenStore.Open(new FileTokenStoreOptions { Home = _home.Path })),
            f.Time, RefreshFixture.FastOptions with { LockTimeout = TimeSpan.FromMilliseconds(300) });
        var otherRefresh = new CountingRefresh((_, _) => Task.FromResult(f.Tokens("at-replayed", "rt-replayed")));

        var served = await f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        var waited = await Assert.ThrowsAsync<McpAuthException>(
            () => otherProcess.GetValidAsync(RefreshFixture.Binding, otherRefresh.Callback, None).AsTask());

        Assert.Equal("at-2", served.Tokens.AccessToken);
        Assert.Equal(McpAuthErrorCode.StoreLockTimeout, waited.Code);
        Assert.Equal((1, 0), (refresh.Calls, otherRefresh.Calls));
        Assert.Equal("rt-1", (await f.StoredAsync())!.Tokens.RefreshToken);

        disk.FailNextWrites = 0;

        Assert.True(await f.Coordinator.WaitForUnsavedAsync(TimeSpan.FromSeconds(10), None));
        Assert.Equal("rt-2", (await f.StoredAsync())!.Tokens.RefreshToken);
        Assert.Equal("at-2", (await otherProcess.GetValidAsync(RefreshFixture.Binding, otherRefresh.Callback, None)).Tokens.AccessToken);
        Assert.Equal(0, otherRefresh.Calls);
    }

    public void Dispose() => _home.Dispose();
}
