namespace McpAuth.Hardening.Tests.Infrastructure;

/// <summary>A clock the test moves by hand (timers still run in real time).</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _utcTicks = DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
}
