using McpAuth.Cli.Callback;

namespace McpAuth.Demo;

/// <summary>
/// The demo's stand-in for a browser: follows the authorization URL with redirects on, so the sandbox's immediate
/// approval lands on the CLI's loopback listener exactly as a browser would deliver it.
/// </summary>
internal sealed class HttpFollowingBrowser(HttpClient http) : IBrowserLauncher
{
    private Task? _visit;

    public string Announcement => "The demo's stand-in browser (an HTTP client in this process) follows the authorization URL:";

    public bool TryOpen(Uri url, out string? failure)
    {
        if (!BrowserLauncher.IsWebUrl(url))
        {
            failure = "Only http and https URLs are opened.";
            return false;
        }
        _visit = VisitAsync(url);
        failure = null;
        return true;
    }

    /// <summary>Waits for the last visit to finish (the page after the redirect).</summary>
    public Task WaitAsync() => _visit ?? Task.CompletedTask;

    private async Task VisitAsync(Uri url)
    {
        try
        {
            using var response = await http.GetAsync(url).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // The login reports its own failure.
        }
    }
}
