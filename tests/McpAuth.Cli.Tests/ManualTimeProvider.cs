namespace McpAuth.Cli.Tests;

/// <summary>A clock the test moves by hand. Timers are not supported (the registry does not use them).</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
