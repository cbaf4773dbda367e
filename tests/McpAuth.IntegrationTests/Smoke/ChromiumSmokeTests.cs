using Xunit.Abstractions;
using McpAuth.IntegrationTests.Fixtures;
using Microsoft.Playwright;

namespace McpAuth.IntegrationTests.Smoke;

/// <summary>
/// Proves the browser fixture: Debian's Chromium signs in on oidc-provider's real login and consent pages and lands
/// on a loopback redirect URI, as a person would.
/// </summary>
public sealed class ChromiumSmokeTests(HtmlOidcProviderServer server, ChromiumBrowser chromium, ITestOutputHelper output)
    : IClassFixture<HtmlOidcProviderServer>, IClassFixture<ChromiumBrowser>
{
    private const string Resource = "http://127.0.0.1:40004/mcp";

    [Fact]
    public async Task LoginAndConsentPages_LeadToTheLoopbackRedirect()
    {
        output.WriteLine($"Playwright driver and Chromium started in {chromium.StartupTime.TotalMilliseconds:F0} ms");
        using var callbackServer = new LoopbackCallbackServer();
        using var oauth = new RawOAuth(server.Issuer);
        var clientId = await oauth.RegisterPublicClientAsync(callbackServer.RedirectUri, "McpAuth browser smoke test");
        var (verifier, challenge) = RawOAuth.NewPkce();
        var page = await chromium.NewPageAsync();

        var authorizationUrl = await oauth.AuthorizationUrlAsync(clientId, callbackServer.RedirectUri, challenge, "mcp:read", Resource, "browser-state");
        await page.GotoAsync(authorizationUrl.AbsoluteUri);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ChromiumBrowser.ScreenshotPath("oidc-login-page") });
        await page.FillAsync("input[name=login]", "alice");
        await page.FillAsync("input[name=password]", "any password");
        await page.ClickAsync("button[type=submit]");
        await page.ClickAsync("button:has-text('Continue')");
        await page.WaitForURLAsync(url => url.StartsWith(callbackServer.RedirectUri.AbsoluteUri, StringComparison.Ordinal));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ChromiumBrowser.ScreenshotPath("oidc-callback-page") });
        var callback = await callbackServer.Callback.WaitAsync(TimeSpan.FromSeconds(10));
        var tokens = await oauth.RedeemCodeAsync(clientId, callbackServer.RedirectUri, callback, verifier);
        var introspection = await oauth.IntrospectAsync(new Dictionary<string, string> { ["token"] = tokens["access_token"]!, ["client_id"] = clientId });

        Assert.Equal("Signed in", await page.TitleAsync());
        Assert.Equal("browser-state", HeadlessAuthorization.QueryParameter(callback, "state"));
        Assert.Equal(server.IssuerIdentifier, HeadlessAuthorization.QueryParameter(callback, "iss"));
        Assert.Equal(200, tokens.Status);
        Assert.Equal("alice", introspection["sub"]);
        Assert.True(new FileInfo(ChromiumBrowser.ScreenshotPath("oidc-callback-page")).Length > 1000);
    }
}
