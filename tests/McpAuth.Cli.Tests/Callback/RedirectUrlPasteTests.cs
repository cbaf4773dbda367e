using McpAuth.Cli.Callback;

namespace McpAuth.Cli.Tests.Callback;

public sealed class RedirectUrlPasteTests
{
    private readonly PendingFlowRegistry _registry = new(TimeProvider.System);

    [Fact]
    public async Task Delivers_a_pasted_redirect_url_after_complaining_about_bad_lines()
    {
        using var flow = _registry.Register("pasted");
        var input = new StringReader("\nnot a url\nhttp://127.0.0.1:9/callback?code=c&state=other\n  http://127.0.0.1:9/callback?code=c1&state=pasted  \n");
        var prose = new StringWriter();

        var delivered = await RedirectUrlPaste.ReadAsync(input, _registry, prose, default);

        Assert.True(delivered);
        Assert.Equal("c1", (await flow.Received).Code);
        var complaints = prose.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, complaints.Length);
        Assert.Contains("another login", complaints[2]);
    }

    [Fact]
    public async Task End_of_input_returns_false()
    {
        using var flow = _registry.Register("never");

        Assert.False(await RedirectUrlPaste.ReadAsync(new StringReader(""), _registry, new StringWriter(), default));
        Assert.False(flow.Received.IsCompleted);
    }

    [Fact]
    public void A_pasted_url_is_accepted_once()
    {
        using var flow = _registry.Register("twice");
        const string url = "http://127.0.0.1:9/callback?code=c&state=twice";

        Assert.Null(RedirectUrlPaste.Deliver(url, _registry));
        Assert.Contains("already used", RedirectUrlPaste.Deliver(url, _registry));
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
}
