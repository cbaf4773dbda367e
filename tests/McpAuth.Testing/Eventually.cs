namespace McpAuth.Testing;

/// <summary>
/// The polling wait, for the few places where nothing can be awaited (another process's file, a port another process
/// opens): checks every 20 ms and fails the test with <paramref name="what"/> after a generous timeout. Where an event
/// or a task exists, await it instead.
/// </summary>
public static class Eventually
{
    /// <summary>The default timeout: long enough for a loaded CI machine, short enough to fail a broken test quickly.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Returns once <paramref name="condition"/> holds; throws naming <paramref name="what"/> after the timeout.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for: " + what);
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="UntilAsync(Func{bool}, string, TimeSpan?)"/> with an asynchronous condition.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for: " + what);
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }
}
