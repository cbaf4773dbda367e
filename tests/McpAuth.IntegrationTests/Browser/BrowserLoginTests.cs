using System.Net;
using McpAuth.Cli.Tests;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.IntegrationTests.Lifecycle;
using Microsoft.Playwright;

namespace McpAuth.IntegrationTests.Browser;

/// <summary>
/// A person's login, end to end: the built <c>mcpauth login --no-browser</c> prints the authorization URL, Debian's
/// Chromium opens it, signs in and consents on oidc-provider's own HTML pages and lands on the CLI's loopback page; then
/// <c>mcpauth token</c> prints a token the protected MCP server (introspecting at oidc-provider) accepts.
/// </summary>
public sealed class BrowserLoginTests(ChromiumBrowser chromium) : IClassFixture<ChromiumBrowser>, IAsyncLifetime
{
    private readonly LifecycleServers _servers = new() { Interaction = "html" };
    private readonly TempHome _home = new();

    public Task InitializeAsync() => _servers.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _servers.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task Login_through_chromium_on_oidc_provider_pages_gives_a_token_the_mcp_server_accepts()
    {
        var server = _servers.McpUrl.AbsoluteUri;
        var cli = new CliProcess(_home.Path);
        var printed = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? pageTitle = null, pageHeading = null, addressBar = null;
        Exception? browserFailure = null;

        var login = await cli.RunAsync(["login", server, "--no-browser"], timeout: TimeSpan.FromSeconds(90),
            stdoutLine: line =>
            {
                if (Uri.TryCreate(line.Trim(), UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp)
                {
                    printed.TrySetResult(url);
                }
            },
            whileRunning: async process =>
            {
                try
                {
                    (pageTitle, pageHeading, addressBar) = await SignInAsync(await printed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
                }
                catch (Exception e) when (e is PlaywrightException or TimeoutException)
                {
                    browserFailure = e;
                    process.Kill(entireProcessTree: true);
                }
            });

        Assert.True(browserFailure is null && login.ExitCode == 0, $"{browserFailure}\n{login.Stderr}\n{_servers.Oidc.Log}");
        Assert.Equal("McpAuth: Logged in", pageTitle);
        Assert.Equal("Logged in", pageHeading);
        Assert.DoesNotContain("code=", addressBar);
        Assert.DoesNotContain("state=", addressBar);
        Assert.True(new FileInfo(ChromiumBrowser.ScreenshotPath("cli-login-loopback-page")).Length > 1000);

        var token = await cli.RunAsync("token", server);
        Assert.True(token.ExitCode == 0, token.Stderr);
        var accessToken = token.Stdout.TrimEnd('\n');
        Assert.True(await _servers.IsActiveAsync(accessToken));
        Assert.Equal(HttpStatusCode.OK, await _servers.PingAsync(accessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await _servers.PingAsync("not-a-token"));
    }

    /// <summary>
    /// Opens the printed URL, signs in and consents on oidc-provider's pages, waits for the CLI's loopback page to clean
    /// its address bar, keeps a screenshot. Returns the page title, heading and final address.
    /// </summary>
    private async Task<(string Title, string Heading, string Address)> SignInAsync(Uri authorizationUrl)
    {
        var redirectUri = new Uri(HeadlessAuthorization.QueryParameter(authorizationUrl, "redirect_uri")!);
        var origin = redirectUri.GetLeftPart(UriPartial.Authority);
        var page = await chromium.NewPageAsync();
        try
        {
            await page.GotoAsync(authorizationUrl.AbsoluteUri);
            await page.FillAsync("input[name=login]", "alice");
            await page.FillAsync("input[name=password]", "any password");
            await page.ClickAsync("button[type=submit]");
            await page.ClickAsync("button:has-text('Continue')");
            // The page's own script replaces the address (code and state) with the clean done path: no new load.
            await page.WaitForFunctionAsync($"() => location.href === '{origin}/done'");
            await page.WaitForSelectorAsync("h1");
        }
        catch (TimeoutException e)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ChromiumBrowser.ScreenshotPath("cli-login-stuck") });
            throw new TimeoutException($"The browser got stuck at {page.Url}", e);
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ChromiumBrowser.ScreenshotPath("cli-login-loopback-page") });
        return (await page.TitleAsync(), await page.InnerTextAsync("h1"), page.Url);
    }
}
