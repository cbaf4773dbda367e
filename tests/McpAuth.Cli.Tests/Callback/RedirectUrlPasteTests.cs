using McpAuth.Cli.Callback;
using McpAuth.Engine;

namespace McpAuth.Cli.Tests.Callback;

public sealed class RedirectUrlPasteTests
{
    private readonly PendingFlowRegistry _registry = new(TimeProvider.System);

    [Fact]
    public async Task Delivers_a_pasted_redirect_url_after_complaining_about_bad_lines()
    {
        using var flow = TestFlow.Start(_registry, "pasted");
        var input = new StringReader("\nnot a url\nhttp://127.0.0.1:9/callback?code=c&state=other\n  http://127.0.0.1:9/callback?code=c1&state=pasted  \n");
        var prose = new StringWriter();

        var delivered = await RedirectUrlPaste.ReadAsync(input, _registry, prose, default);

        Assert.True(delivered);
        Assert.Equal("c1", (await flow.ReceivedCallbackAsync()).Code);
        var complaints = prose.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, complaints.Length);
        Assert.Contains("another login", complaints[2]);
    }

    [Fact]
    public async Task End_of_input_returns_false()
    {
        using var flow = TestFlow.Start(_registry, "never");

        Assert.False(await RedirectUrlPaste.ReadAsync(new StringReader(""), _registry, new StringWriter(), default));
        Assert.False(flow.Received.IsCompleted);
    }

    [Fact]
    public void A_pasted_url_is_accepted_once()
    {
        using var flow = TestFlow.Start(_registry, "twice");
        const string url = "http://127.0.0.1:9/callback?code=c&state=twice";

        Assert.Null(RedirectUrlPaste.Deliver(url, _registry));
        Assert.Contains("already used", RedirectUrlPaste.Deliver(url, _registry));
    }

    [Fact]
    public void A_pasted_url_with_a_repeated_parameter_is_refused()
    {
        using var flow = TestFlow.Start(_registry, "repeated");

        Assert.Contains("not a redirect URL", RedirectUrlPaste.Deliver("http://127.0.0.1:9/callback?code=a&code=b&state=repeated", _registry));
        Assert.False(flow.Received.IsCompleted);
    }

    [Fact]
    public async Task Cancellation_stops_reading()
    {
        using var cancel = new CancellationTokenSource();
        var blocked = new BlockingReader();
        var reading = RedirectUrlPaste.ReadAsync(blocked, _registry, new StringWriter(), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    /// <summary>Console.In: ReadLineAsync blocks the calling thread like ReadLine.</summary>
    private sealed class BlockingReader : TextReader
    {
        public ManualResetEventSlim Release { get; } = new();

        public override string? ReadLine()
        {
            Release.Wait(TimeSpan.FromSeconds(30));
            return null;
        }

        public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => new(ReadLine());
    }

    [Fact]
    public async Task A_synchronously_blocking_terminal_does_not_block_the_caller()
    {
        var input = new BlockingReader();
        using var cancel = new CancellationTokenSource();

        // StartNew does not unwrap: it completes as soon as ReadAsync has returned its task.
        var call = Task.Factory.StartNew(() => RedirectUrlPaste.ReadAsync(input, _registry, new StringWriter(), cancel.Token),
            CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default);

        var first = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(10)));
        await cancel.CancelAsync();

        Assert.Same(call, first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await await call);
        input.Release.Set();
    }
}
