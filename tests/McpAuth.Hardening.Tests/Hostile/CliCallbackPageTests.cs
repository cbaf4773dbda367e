using McpAuth.Cli.Callback;
using McpAuth.Engine;
using McpAuth.Protocol;

namespace McpAuth.Hardening.Tests.Hostile;

/// <summary>
/// The CLI's side of a hostile authorization server: the loopback page renders the server's error and
/// error_description inert (encoded, under a CSP that allows only its own nonce script), and the browser launcher never
/// opens a URL that is not http(s).
/// </summary>
public sealed class CliCallbackPageTests
{
    private const string Script = "<script>alert(document.cookie)</script>";
    private const string Image = "<img src=x onerror=alert(2)>";

    [Fact]
    public async Task The_loopback_page_renders_a_hostile_error_inert()
    {
        var registry = new PendingFlowRegistry(TimeProvider.System);
        await using var listener = await LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions { OutcomeWait = TimeSpan.FromSeconds(10) }, registry, CancellationToken.None);
        var flow = new PendingAuthorization("state-1", "default", Pkce.Create(), null!, null!, null, listener.RedirectUri, null, DateTimeOffset.UtcNow);
        registry.Add(flow, maxPerProfile: 16);
        var waiting = registry.WaitForCallbackAsync("state-1", CancellationToken.None);
        using var browser = new HttpClient();
        var url = new Uri($"{listener.RedirectUri}?error={Uri.EscapeDataString(Script)}&error_description={Uri.EscapeDataString(Image)}&state=state-1");
        var page = browser.GetAsync(url);

        var received = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        var parsed = AuthorizationResponse.Parse(received);
        var error = Assert.Throws<McpAuthException>(() => AuthorizationResponse.Validate(parsed, "state-1", "https://as.example", issuerRequired: false));
        flow.Fail(error); // as the engine fails the flow: the page shows CallbackPage.Describe(error)
        using var response = await page;
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(McpAuthErrorCode.AuthorizationDenied, error.Code);
        Assert.Contains("&lt;script&gt;alert(document.cookie)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain(Script, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script"));
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'nonce-", csp, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("myapp://authorize?code=1")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    public void The_browser_launcher_never_opens_a_url_that_is_not_http(string url)
    {
        using var opener = new StandInOpener();

        var opened = opener.Launcher.TryOpen(new Uri(url), out var failure);

        Assert.False(opened);
        Assert.NotNull(failure);
        Assert.False(BrowserLauncher.IsWebUrl(new Uri(url)));
        Thread.Sleep(200);
        Assert.False(opener.Ran, "the opener ran");
    }

    [Fact]
    public async Task The_launcher_stand_in_does_open_web_urls()
    {
        using var opener = new StandInOpener();

        Assert.True(opener.Launcher.TryOpen(new Uri("https://as.example/authorize?x=1"), out _));
        // The marker file is written by another process: nothing to await.
        await Eventually.UntilAsync(() => opener.Ran, "the stand-in opener (else the refusal tests above would prove nothing)");
    }

    /// <summary>A browser stand-in ($MCPAUTH_BROWSER): a script that leaves a marker file when it runs.</summary>
    private sealed class StandInOpener : IDisposable
    {
        private readonly string _marker = Path.Combine(Path.GetTempPath(), "mcpauth-hardening-" + Guid.NewGuid().ToString("N"));

        public StandInOpener()
        {
            var script = _marker + ".sh";
            File.WriteAllText(script, $"#!/bin/sh\necho \"$1\" > '{_marker}'\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            Launcher = new BrowserLauncher(name => name == "MCPAUTH_BROWSER" ? script : null);
        }

        public BrowserLauncher Launcher { get; }

        public bool Ran => File.Exists(_marker);

        public void Dispose()
        {
            File.Delete(_marker + ".sh");
            File.Delete(_marker);
        }
    }
}
