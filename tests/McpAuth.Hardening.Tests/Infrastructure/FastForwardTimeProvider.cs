namespace McpAuth.Hardening.Tests.Infrastructure;

/// <summary>
/// A clock whose timers fire at once and move the clock forward by their due time: backoff delays and Retry-After
/// waits cost no real time, and <see cref="Waited"/> says how long McpAuth would have waited.
/// </summary>
public sealed class FastForwardTimeProvider : TimeProvider
{
    private long _utcTicks = DateTimeOffset.UtcNow.UtcTicks;
    private long _waitedTicks;

    public TimeSpan Waited => TimeSpan.FromTicks(Interlocked.Read(ref _waitedTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            Interlocked.Add(ref _utcTicks, dueTime.Ticks);
            Interlocked.Add(ref _waitedTicks, dueTime.Ticks);
            dueTime = TimeSpan.Zero;
        }
        return System.CreateTimer(callback, state, dueTime, period);
    }
}
