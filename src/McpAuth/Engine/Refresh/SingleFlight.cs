using System.Collections.Concurrent;

namespace McpAuth.Engine.Refresh;

/// <summary>
/// At most one running operation per key in this process: callers that arrive while it runs share its task. The
/// operation runs without any caller's cancellation token (callers stop waiting with <c>WaitAsync</c>), so a refresh
/// that was sent is always completed and saved.
/// </summary>
internal sealed class SingleFlight<TKey, TResult>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TResult>> _running = new();

    public bool IsRunning(TKey key) => _running.ContainsKey(key);

    /// <summary>The running task for <paramref name="key"/>, or a new one started from <paramref name="operation"/>.</summary>
    public Task<TResult> Join(TKey key, Func<Task<TResult>> operation)
    {
        while (true)
        {
            if (_running.TryGetValue(key, out var running))
            {
                return running;
            }
            var flight = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_running.TryAdd(key, flight.Task))
            {
                _ = RunAsync(key, operation, flight);
                return flight.Task;
            }
        }
    }

    private async Task RunAsync(TKey key, Func<Task<TResult>> operation, TaskCompletionSource<TResult> flight)
    {
        TResult? result = default;
        Exception? failure = null;
        try
        {
            result = await operation().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every failure goes to the callers sharing the flight.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
        }
        // Leave the table before completing, so a caller woken by the result never sees this flight as running.
        _running.TryRemove(new KeyValuePair<TKey, Task<TResult>>(key, flight.Task));
        if (failure is null)
        {
            flight.SetResult(result!);
        }
        else
        {
            flight.SetException(failure);
        }
    }
}
