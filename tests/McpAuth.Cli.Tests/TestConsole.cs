namespace McpAuth.Cli.Tests;

/// <summary>A <see cref="CliContext"/> over string writers, for run steps tested in-process.</summary>
internal sealed class TestConsole
{
    public StringWriter Out { get; } = new();
    public StringWriter Err { get; } = new();
    public Dictionary<string, string?> Environment { get; } = new();

    public CliContext Context(TextReader? input = null, bool interactive = false) => new()
    {
        Out = Out,
        Err = Err,
        In = input ?? new BlockingReader(),
        Environment = name => Environment.GetValueOrDefault(name),
        IsInteractive = interactive,
    };
}

/// <summary>A stdin on which nobody ever types.</summary>
internal sealed class BlockingReader : TextReader
{
    public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        new(Task.Delay(Timeout.Infinite, CancellationToken.None).ContinueWith(_ => (string?)null, TaskScheduler.Default));
}
