using McpAuth.Storage;

namespace McpAuth.Tests.Storage;

/// <summary>The store opened by its first operation (the PostgreSQL store of AddMcpAuthPostgreSql and of the CLI).</summary>
public sealed class DeferredTokenStoreTests
{
    private static readonly StoreKey Key = new(StoreEntryKind.Credential, "k");

    [Fact]
    public async Task Nothing_opens_before_the_first_operation_and_one_opening_serves_every_caller()
    {
        var openings = 0;
        var inner = new InMemoryTokenStore();
        var store = new DeferredTokenStore("test", _ => { Interlocked.Increment(ref openings); return Task.FromResult<ITokenStore>(inner); });

        Assert.Equal(0, openings);
        Assert.Equal("test", store.BackendName);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.ReadAsync(Key, CancellationToken.None).AsTask()));
        await store.WriteAsync(Key, new byte[] { 1 }, CancellationToken.None);

        Assert.Equal(1, openings);
        Assert.Equal(new byte[] { 1 }, await inner.ReadAsync(Key, CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_opening_is_tried_again_by_the_next_operation()
    {
        var openings = 0;
        var store = new DeferredTokenStore("test", _ => ++openings == 1
            ? Task.FromException<ITokenStore>(new McpAuthException(McpAuthErrorCode.StoreUnavailable, "down"))
            : Task.FromResult<ITokenStore>(new InMemoryTokenStore()));

        var down = await Assert.ThrowsAsync<McpAuthException>(() => store.ReadAsync(Key, CancellationToken.None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreUnavailable, down.Code);
        Assert.Null(await store.ReadAsync(Key, CancellationToken.None));
        Assert.Equal(2, openings);
    }

    [Fact]
    public async Task A_caller_that_stops_waiting_does_not_cancel_the_opening_for_the_others()
    {
        var opened = new TaskCompletionSource<ITokenStore>(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new DeferredTokenStore("test", _ => opened.Task);
        using var impatient = new CancellationTokenSource();

        var first = store.ReadAsync(Key, impatient.Token).AsTask();
        var second = store.ReadAsync(Key, CancellationToken.None).AsTask();
        await impatient.CancelAsync();
        opened.SetResult(new InMemoryTokenStore());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Null(await second);
    }
}
