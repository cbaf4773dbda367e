using System.Web;
using McpAuth.Cli.Output;
using McpAuth.Engine;

namespace McpAuth.Cli.Callback;

/// <summary>How the user is taken through an authorization URL.</summary>
/// <param name="NoBrowser">Print the URL on stdout and wait (the user may paste the redirect URL on stdin).</param>
/// <param name="Timeout">Give up after this long.</param>
public sealed record InteractiveAuthorizationOptions(bool NoBrowser, TimeSpan Timeout);

/// <summary>
/// Takes the user through one authorization URL: prints it (stderr, or stdout with --no-browser), opens the browser
/// (http/https only), then waits for the redirect on the loopback listener, or for the redirect URL pasted on stdin
/// with --no-browser, with a spinner when interactive. Both hand the response to the engine's
/// <see cref="PendingFlowRegistry"/>, which the engine that started the flow shares (<see cref="PendingFlows"/>).
/// </summary>
public sealed class InteractiveAuthorization(
    CliContext cli, IBrowserLauncher browser, LoopbackCallbackListener listener, InteractiveAuthorizationOptions options)
{
    /// <summary>The listener's redirect URI, to put in the authorization request.</summary>
    public Uri RedirectUri => listener.RedirectUri;

    /// <summary>The registry the engine must record its flows in, so that the listener can deliver to them.</summary>
    public PendingFlowRegistry PendingFlows => listener.Registry;

    /// <summary>
    /// Shows or opens <paramref name="authorizationUrl"/> and waits for the authorization response for its <c>state</c>
    /// (a flow the engine recorded in <see cref="PendingFlows"/>); returns the URL the browser was redirected to.
    /// </summary>
    /// <exception cref="CliException">The URL is not http(s) or has no state; or the wait timed out (exit code 2).</exception>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/> when no flow waits with this state, <see cref="McpAuthErrorCode.FlowExpired"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException">Cancelled (Ctrl-C).</exception>
    public async Task<Uri> WaitForRedirectAsync(Uri authorizationUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorizationUrl);
        if (!BrowserLauncher.IsWebUrl(authorizationUrl))
        {
            throw new CliException("The authorization URL is not an http or https URL; McpAuth neither opens nor prints it.");
        }
        var state = HttpUtility.ParseQueryString(authorizationUrl.Query)["state"];
        if (string.IsNullOrEmpty(state))
        {
            throw new CliException("The authorization URL carries no state; refusing to continue.");
        }
        await ShowAsync(authorizationUrl).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(options.Timeout, cli.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var paste = options.NoBrowser
            ? RedirectUrlPaste.ReadAsync(cli.In, listener.Registry, cli.Err, linked.Token)
            : Task.FromResult(false);
        var hint = HintAboutThePortAsync(linked.Token);
        try
        {
            await using (Spinner.Start(cli, "Waiting for the authorization in the browser... (Ctrl-C to cancel)"))
            {
                return await listener.Registry.WaitForCallbackAsync(state, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw GaveUp(options.Timeout);
        }
        finally
        {
            await linked.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(paste, Task.Delay(100, CancellationToken.None)).ConfigureAwait(false);
            await hint.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// When to say the redirect URI may be refused: after 20 s without a callback, or a quarter of a shorter timeout, so
    /// the user reads it well before the login gives up.
    /// </summary>
    public static TimeSpan HintDelay(TimeSpan timeout) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(20).Ticks, timeout.Ticks / 4));

    /// <summary>
    /// A server that accepts only the redirect URI an application was registered with (Atlassian) shows its refusal in
    /// the browser only: the login just waits. Says so, with the flag that fixes it, while it waits.
    /// </summary>
    private async Task HintAboutThePortAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(HintDelay(options.Timeout), cli.Time, cancellationToken).ConfigureAwait(false);
            await cli.Err.WriteLineAsync(cli.Yellow(PortHint(listener.Port))).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The callback came, or the login ended: no hint.
        }
    }

    /// <summary>The hint printed while the login waits for the redirect.</summary>
    public static string PortHint(int port) =>
        $"Still waiting. If the browser says the redirect URI is not allowed, the app was registered with another port "
        + $"(this login listens on {port}): pass --callback-port N with the port it was registered with.";

    private async Task ShowAsync(Uri authorizationUrl)
    {
        var url = authorizationUrl.AbsoluteUri;
        if (options.NoBrowser)
        {
            await cli.Err.WriteLineAsync("Open this URL in a browser to authorize:").ConfigureAwait(false);
            await cli.Out.WriteLineAsync(url).ConfigureAwait(false);
            await cli.Out.FlushAsync().ConfigureAwait(false);
            await cli.Err.WriteLineAsync(
                $"Waiting for the redirect to {listener.RedirectUri.GetLeftPart(UriPartial.Path)}. On another machine, paste the " +
                "address the browser ends up on here and press Enter:").ConfigureAwait(false);
            return;
        }
        await cli.Err.WriteLineAsync(browser.Announcement).ConfigureAwait(false);
        await cli.Err.WriteLineAsync($"  {url}").ConfigureAwait(false);
        if (!browser.TryOpen(authorizationUrl, out var failure))
        {
            await cli.Err.WriteLineAsync($"{failure} Open the URL above yourself.").ConfigureAwait(false);
        }
    }

    /// <summary>The error when a login's --timeout passes (exit 2, like a cancel).</summary>
    public static CliException GaveUp(TimeSpan timeout) =>
        new($"Gave up waiting for the authorization after {Describe(timeout)}. Run mcpauth login again. {ProviderHints.UnfinishedLogin}",
            ExitCodes.Cancelled);

    private static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{(int)span.TotalMinutes} minute{(span.TotalMinutes == 1 ? "" : "s")}" : $"{(int)span.TotalSeconds} seconds";
}
