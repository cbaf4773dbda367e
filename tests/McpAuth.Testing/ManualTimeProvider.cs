namespace McpAuth.Testing;

/// <summary>
/// A clock the test moves by hand, for every test project. Only the wall clock is manual: timers (<c>Task.Delay</c>
/// with this provider, <see cref="CancellationTokenSource"/> timeouts) and timestamps still run in real time, so the
/// engine's backoffs and polls keep working while a test ages a token (tests keep those waits tiny).
/// <c>FakeTimeProvider</c> (Microsoft.Extensions.TimeProvider.Testing) does not fit here: its timers fire only when the
/// test advances it, which would stall every backoff of a test that advances the clock only to expire a token.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    /// <summary>The start of a test that does not name one: 2026-11-22 08:00 UTC.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private long _utcTicks = start.UtcTicks;

    /// <summary>A clock at <see cref="DefaultStart"/>.</summary>
    public ManualTimeProvider() : this(DefaultStart)
    {
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    /// <summary>Moves the clock forward (or back, with a negative <paramref name="by"/>).</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
}
