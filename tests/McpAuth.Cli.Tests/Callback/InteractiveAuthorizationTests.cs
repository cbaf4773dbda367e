using System.Net;
using McpAuth.Cli.Callback;
using McpAuth.Engine;
using McpAuth.Protocol;

namespace McpAuth.Cli.Tests.Callback;

public sealed class InteractiveAuthorizationTests() : ListenerTest(followRedirects: true)
{
    private readonly TestConsole _console = new();

    private InteractiveAuthorization Create(bool noBrowser, TextReader? input = null, TimeSpan? timeout = null) =>
        new(_console.Context(input), new BrowserLauncher(_ => "/bin/false"), Listener,
            new InteractiveAuthorizationOptions(noBrowser, timeout ?? TimeSpan.FromSeconds(20)));

    private static Uri AuthorizationUrl(string state) => new($"https://as.example/authorize?client_id=c&state={state}");

    [Fact]
    public async Task Browser_mode_prints_the_url_on_stderr_and_takes_the_redirect_from_the_listener()
    {
        var authorization = Create(noBrowser: false);
        var flow = TestFlow.Record(authorization.PendingFlows, "s-browser");

        var waiting = authorization.WaitForRedirectAsync(AuthorizationUrl("s-browser"), default);
        var page = Http.GetAsync(authorization.RedirectUri + "?code=the-code&state=s-browser");
        var callback = AuthorizationResponse.Parse(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        _ = flow.FinishWithAsync(Task.FromResult(0));

        Assert.Equal("the-code", callback.Code);
        Assert.Equal(HttpStatusCode.OK, (await page).StatusCode);
        Assert.Equal("", _console.Out.ToString());
        Assert.Contains("https://as.example/authorize?client_id=c&state=s-browser", _console.Err.ToString());
    }

    [Fact]
    public async Task No_browser_mode_prints_the_url_alone_on_stdout_and_accepts_a_pasted_redirect()
    {
        var pasted = new StringReader("http://127.0.0.1:1/callback?code=pasted-code&state=s-paste\n");
        var authorization = Create(noBrowser: true, pasted);
        TestFlow.Record(authorization.PendingFlows, "s-paste");

        var callback = AuthorizationResponse.Parse(
            await authorization.WaitForRedirectAsync(AuthorizationUrl("s-paste"), default).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("pasted-code", callback.Code);
        Assert.Equal(AuthorizationUrl("s-paste").AbsoluteUri + System.Environment.NewLine, _console.Out.ToString());
    }

    [Fact]
    public async Task Gives_up_after_the_timeout_with_exit_code_2()
    {
        var authorization = Create(noBrowser: false, timeout: TimeSpan.FromMilliseconds(300));
        TestFlow.Record(authorization.PendingFlows, "s-late");

        var error = await Assert.ThrowsAsync<CliException>(() => authorization.WaitForRedirectAsync(AuthorizationUrl("s-late"), default));

        Assert.Equal(ExitCodes.Cancelled, error.ExitCode);
        Assert.Contains("Gave up waiting", error.Message);
        Assert.EndsWith(ProviderHints.UnfinishedLogin, error.Message, StringComparison.Ordinal);
        Assert.Contains("login --new-registration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_login_that_waits_hints_at_the_callback_port_before_it_gives_up()
    {
        var authorization = Create(noBrowser: false, timeout: TimeSpan.FromSeconds(4));
        TestFlow.Record(authorization.PendingFlows, "s-slow");

        await Assert.ThrowsAsync<CliException>(() => authorization.WaitForRedirectAsync(AuthorizationUrl("s-slow"), default));

        // Printed at a quarter of the timeout (1 s), well before the login gave up.
        Assert.Contains($"(this login listens on {Listener.Port}): pass --callback-port N", _console.Err.ToString());
    }

    [Fact]
    public async Task A_quick_callback_gets_no_port_hint()
    {
        var authorization = Create(noBrowser: false);
        var flow = TestFlow.Record(authorization.PendingFlows, "s-quick");

        var waiting = authorization.WaitForRedirectAsync(AuthorizationUrl("s-quick"), default);
        var page = Http.GetAsync(authorization.RedirectUri + "?code=the-code&state=s-quick");
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        _ = flow.FinishWithAsync(Task.FromResult(0));
        await page;

        Assert.DoesNotContain("--callback-port", _console.Err.ToString());
    }

    [Theory]
    [InlineData(300, 20)]
    [InlineData(40, 10)]
    [InlineData(1, 0.25)]
    public void The_port_hint_comes_after_20_seconds_or_a_quarter_of_a_shorter_timeout(int timeoutSeconds, double hintSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(hintSeconds), InteractiveAuthorization.HintDelay(TimeSpan.FromSeconds(timeoutSeconds)));

    [Fact]
    public async Task Cancellation_ends_the_wait_and_a_late_redirect_is_refused()
    {
        var authorization = Create(noBrowser: true);
        TestFlow.Record(authorization.PendingFlows, "s-cancel");
        using var cancel = new CancellationTokenSource();
        var waiting = authorization.WaitForRedirectAsync(AuthorizationUrl("s-cancel"), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        var late = await Http.GetAsync(authorization.RedirectUri + "?code=c&state=s-cancel");
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains("already used", await late.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_state_the_engine_never_recorded_is_refused()
    {
        var authorization = Create(noBrowser: false);

        var error = await Assert.ThrowsAsync<McpAuthException>(() => authorization.WaitForRedirectAsync(AuthorizationUrl("s-unknown"), default));

        Assert.Equal(McpAuthErrorCode.StateMismatch, error.Code);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://as.example/authorize?client_id=c")]
    public async Task Refuses_non_web_urls_and_urls_without_state_and_prints_nothing(string url)
    {
        var authorization = Create(noBrowser: true);

        await Assert.ThrowsAsync<CliException>(() => authorization.WaitForRedirectAsync(new Uri(url), default));

        Assert.Equal("", _console.Out.ToString());
        Assert.DoesNotContain(url, _console.Err.ToString());
    }
}
