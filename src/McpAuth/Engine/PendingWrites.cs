using System.Runtime.ExceptionServices;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Engine;

/// <summary>
/// Store work of one authorization that need not hold it up: the writes of the discovery record, the client
/// registration and a first active-client index entry, and what the credential's save needs from the store (the index
/// entry, the credential it replaces, the credential's folder made). Queued as the flow learns them, they run once the
/// flow has sent its token request (<see cref="StartAfterSending"/>), so that they overlap the longest network wait
/// and not the short requests before it, and are flushed (awaited, their errors thrown) before the credential that
/// depends on them is saved. In line, they cost a first login several flushes to disk on its critical path. The queued
/// work runs in order on McpAuth's store thread (<see cref="StoreThread"/>): the file store blocks on the disk (fsync).
/// </summary>
/// <remarks>One instance per authorization, owned by the method that runs it; that method settles it on every exit.</remarks>
internal sealed class PendingWrites
{
    private readonly Lock _gate = new();
    private readonly List<Func<ValueTask>> _queued = [];
    private readonly List<Task> _running = [];
    private bool _started;

    /// <summary>Queues <paramref name="write"/>, or starts it at once when the writes have been started.</summary>
    public void Add(Func<ValueTask> write)
    {
        lock (_gate)
        {
            if (!_started)
            {
                _queued.Add(write);
                return;
            }
            _running.Add(Run([write]));
        }
    }

    /// <summary>
    /// Writes at once when <paramref name="behind"/> is null (the flow waits for it, and <paramref name="ct"/> cancels it),
    /// else queues the write on <paramref name="behind"/>, uncancellable: once queued, it is the flow's to flush or settle.
    /// </summary>
    public static ValueTask WriteOrQueueAsync(PendingWrites? behind, Func<CancellationToken, ValueTask> write, CancellationToken ct)
    {
        if (behind is null)
        {
            return write(ct);
        }
        behind.Add(() => write(CancellationToken.None));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Starts <paramref name="behind"/>'s writes once <paramref name="request"/> (a token request, just called) has
    /// been sent: an HTTP send runs on the caller's thread until it waits for the response, so the request is on the
    /// wire by the time the call returns its task. Started before, the writes' first work (creating the store's folders
    /// and key, encrypting) takes the CPU from sending it, a cost the whole wait then carries (on a 2-core machine
    /// against a local server, about 0.5 ms of a 100 ms token request).
    /// </summary>
    /// <returns><paramref name="request"/>, to await.</returns>
    public static Task<T> StartAfterSending<T>(Task<T> request, PendingWrites? behind)
    {
        behind?.StartAll();
        return request;
    }

    /// <summary>
    /// The client the active-client index names, as this flow's index claim found or made it (see
    /// <c>McpAuthClient.ClaimIndexAsync</c>); null before the claim ran or when the index names another client.
    /// </summary>
    public string? IndexedClientId { get; set; }

    /// <summary>The credential the login's save will replace (null: none), read ahead for its binding; null before it was read.</summary>
    public (CredentialBinding Binding, StoredCredential? Credential)? Replaced { get; set; }

    /// <summary>Starts the queued writes, and any added later at once.</summary>
    public void StartAll()
    {
        lock (_gate)
        {
            _started = true;
            if (_queued.Count > 0)
            {
                _running.Add(Run([.. _queued]));
                _queued.Clear();
            }
        }
    }

    /// <summary>Runs every write added so far to its end; throws the first one's error (a typed store error).</summary>
    public async Task FlushAsync()
    {
        foreach (var write in Take())
        {
            await write.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For a flow that failed or was cancelled: still runs the writes (a registration the server made is kept, so the
    /// next login does not register again) and waits for them, so none outlives its flow, but only logs their errors:
    /// the flow's own error is the one the caller must see.
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

    /// <summary>
    /// Runs <paramref name="writes"/> in order on the <see cref="StoreThread"/> (the file store's writes block on the
    /// disk); each is attempted whatever the others did, and the first failure is the task's. The task's continuations
    /// run on the thread pool, never on the store thread.
    /// </summary>
    private static Task Run(Func<ValueTask>[] writes)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StoreThread.Post(() => _ = RunToAsync(done, writes));
        return done.Task;
    }

    private static async Task RunToAsync(TaskCompletionSource done, Func<ValueTask>[] writes)
    {
        try
        {
            await RunAllAsync(writes).ConfigureAwait(false);
            done.SetResult();
        }
        catch (Exception e)
        {
            done.SetException(e); // whatever it is, the flow's flush or settle meets it; the store thread goes on
        }
    }

    private static async Task RunAllAsync(Func<ValueTask>[] writes)
    {
        ExceptionDispatchInfo? first = null;
        foreach (var write in writes)
        {
            try
            {
                await write().ConfigureAwait(false);
            }
            catch (Exception e) when (e is McpAuthException or IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                first ??= ExceptionDispatchInfo.Capture(e);
            }
        }
        first?.Throw();
    }

    private Task[] Take()
    {
        StartAll();
        lock (_gate)
        {
            Task[] taken = [.. _running];
            _running.Clear();
            return taken;
        }
    }
}
