namespace McpAuth.Cli.Output;

/// <summary>
/// A one-line spinner on stderr while the CLI waits (only when a person is at a terminal; otherwise it prints
/// nothing). Disposing it stops it and clears the line.
/// </summary>
public sealed class Spinner : IAsyncDisposable
{
    private static readonly string[] Frames = ["|", "/", "-", "\\"];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly TextWriter _err;
    private readonly string _text;

    private Spinner(TextWriter err, string text)
    {
        _err = err;
        _text = text;
        _loop = RunAsync();
    }

    /// <summary>Starts a spinner when <paramref name="cli"/> is interactive; otherwise a no-op.</summary>
    public static IAsyncDisposable Start(CliContext cli, string text)
    {
        ArgumentNullException.ThrowIfNull(cli);
        return cli.IsInteractive ? new Spinner(cli.Err, text) : NoOp.Instance;
    }

    private async Task RunAsync()
    {
        var frame = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await _err.WriteAsync($"\r{Frames[frame++ % Frames.Length]} {_text}").ConfigureAwait(false);
                await _err.FlushAsync().ConfigureAwait(false);
                await Task.Delay(120, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _err.WriteAsync("\r" + new string(' ', _text.Length + 2) + "\r").ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class NoOp : IAsyncDisposable
    {
        public static readonly NoOp Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
