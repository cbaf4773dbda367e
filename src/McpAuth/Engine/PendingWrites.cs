using Microsoft.Extensions.Logging;

namespace McpAuth.Engine;

/// <summary>
/// Store writes of one authorization that need not hold it up: the discovery record and the client registration are
/// written on the thread pool while the flow goes on to the browser and the token endpoint, and are flushed (awaited,
/// their errors thrown) before the credential that depends on them is saved. Writing them in line cost a login two
/// flushes to disk on its critical path; now they overlap the network round trips.
/// </summary>
/// <remarks>One instance per authorization, owned by the method that runs it; that method settles it on every exit.</remarks>
internal sealed class PendingWrites
{
    private readonly List<Task> _writes = [];

    /// <summary>Starts <paramref name="write"/> now, on the thread pool (store writes block on the disk).</summary>
    public void Start(Func<ValueTask> write)
    {
        var task = Task.Run(async () => await write().ConfigureAwait(false));
        lock (_writes)
        {
            _writes.Add(task);
        }
    }

    /// <summary>Waits for every write started so far; throws the first one's error (a typed store error).</summary>
    public async Task FlushAsync()
    {
        foreach (var write in Take())
        {
            await write.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For a flow that failed or was cancelled: waits for the writes so none outlives its flow, and only logs their
    /// errors, since the flow's own error is the one the caller must see. A record left written is harmless: each is
    /// a cache of what the next login would find again.
    /// </summary>
    public async Task SettleAsync(ILogger logger)
    {
        foreach (var write in Take())
        {
            try
            {
                await write.ConfigureAwait(false);
            }
            catch (Exception e) when (e is McpAuthException or IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                EngineLog.BackgroundWriteFailed(logger, e.GetType().Name, (e as McpAuthException)?.Code);
            }
        }
    }

    private Task[] Take()
    {
        lock (_writes)
        {
            Task[] taken = [.. _writes];
            _writes.Clear();
            return taken;
        }
    }
}
