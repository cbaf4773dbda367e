namespace McpAuth.Cli.Tests;

/// <summary>A <see cref="CliContext"/> over string writers, for run steps tested in-process.</summary>
internal sealed class TestConsole
{
    public StringWriter Out { get; } = new LockedStringWriter();
    public StringWriter Err { get; } = new LockedStringWriter();
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

/// <summary>A string writer a test can read while a run step writes to it on another thread.</summary>
internal sealed class LockedStringWriter : StringWriter
{
    private readonly Lock _gate = new();

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            base.Write(buffer, index, count);
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_gate)
        {
            base.Write(buffer);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void WriteLine(ReadOnlySpan<char> buffer)
    {
        lock (_gate)
        {
            base.WriteLine(buffer);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }
}

/// <summary>A stdin on which nobody ever types.</summary>
internal sealed class BlockingReader : TextReader
{
    public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        new(Task.Delay(Timeout.Infinite, CancellationToken.None).ContinueWith(_ => (string?)null, TaskScheduler.Default));
}
