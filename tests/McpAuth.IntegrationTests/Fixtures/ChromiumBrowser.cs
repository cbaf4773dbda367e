using System.Diagnostics;
using Microsoft.Playwright;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// Debian's Chromium (/usr/bin/chromium), headless, driven by Microsoft.Playwright. Uses the Playwright driver shipped
/// in the NuGet package and never downloads a browser. Use one per test class
/// (<c>IClassFixture&lt;ChromiumBrowser&gt;</c>) and a new page (own context: own cookies) per test.
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    // Without the background-networking flags Chromium keeps dialing out, and this machine's network refuses it.
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The running browser.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    /// <summary>How long starting the Playwright driver and Chromium took.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Where screenshots go: artifacts/screenshots under the repository root.</summary>
    public static string ScreenshotPath(string name) =>
        Path.Combine(TestTools.ArtifactsDirectory("screenshots"), $"{name}.png");

    /// <summary>A page in a new browser context (fresh cookies and storage).</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1000, Height = 700 } });
        return await context.NewPageAsync();
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        var executable = TestTools.ChromiumBinary;
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = Arguments,
            Timeout = 30_000,
        });
        StartupTime = clock.Elapsed;
    }

    /// <summary>Closes Chromium and the Playwright driver.</summary>
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            _browser = null;
        }

        _playwright?.Dispose();
        _playwright = null;
    }
}
