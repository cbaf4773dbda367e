using McpAuth.Engine;

namespace McpAuth.Tests.Orchestration;

public class StoreThreadTests
{
    [Fact]
    public async Task Work_runs_in_order_on_one_background_thread_that_is_not_a_pool_thread()
    {
        var seen = new List<(int Order, int Thread, bool Pool, bool Background)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 20; i++)
        {
            var order = i;
            StoreThread.Post(() =>
            {
                lock (seen)
                {
                    seen.Add((order, Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.IsBackground));
                }
                if (order == 19)
                {
                    done.SetResult();
                }
            });
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(0, 20), seen.Select(s => s.Order));
        Assert.Single(seen.Select(s => s.Thread).Distinct());
        Assert.All(seen, s => Assert.False(s.Pool));
        Assert.All(seen, s => Assert.True(s.Background));
    }

    [Fact]
    public async Task A_failed_store_write_reaches_the_flush_and_the_thread_goes_on_with_the_next()
    {
        var failing = new PendingWrites();
        failing.Add(() => throw new InvalidOperationException("a bug in a store"));
        failing.StartAll();
        await Assert.ThrowsAsync<InvalidOperationException>(failing.FlushAsync);

        var next = new PendingWrites();
        var ran = false;
        next.Add(() =>
        {
            ran = true;
            return ValueTask.CompletedTask;
        });
        next.StartAll();
        await next.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ran);
    }
}
