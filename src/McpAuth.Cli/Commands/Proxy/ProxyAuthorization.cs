using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Coordination;
using McpAuth.Engine;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// How the proxy takes the user through a login that <see cref="McpAuthHandler"/> starts on a 401 (or a 403
/// <c>insufficient_scope</c>): the same per-(server, profile) login lock as <c>mcpauth login</c>, the loopback listener
/// bound only while the login waits, the browser or the printed URL (every word on stderr: stdout is the MCP
/// client's). When the proxy stops (its client closed stdin), the wait is cancelled, the listener releases the port and
/// the lock is released.
/// </summary>
internal sealed class ProxyAuthorization(
    CliContext prose, IBrowserLauncher browser, LoginOptions login, LoginBudget budget, CancellationToken stopping)
    : IAuthorizationInteraction
{
    public async Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorizationUrl);
        ArgumentNullException.ThrowIfNull(redirectUri);
        if (!budget.TrySpend())
        {
            throw new CliException(
                $"The server refused {LoginBudget.MaxLoginsWithoutSuccess} fresh logins in a row; no other browser flow opens until a request succeeds.");
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        var waited = false;
        await using var held = await LoginLock.AcquireAsync(LoginLock.PathFor(prose.Home, login.Server, login.Profile), false, () =>
        {
            waited = true;
            prose.Err.WriteLine($"mcpauth proxy: a login for {login.Server} (profile {login.Profile}) is in progress elsewhere; waiting for it...");
        }, prose.Time, linked.Token).ConfigureAwait(false);
        if (waited)
        {
            throw new LoginJoinedException();
        }
        var scope = System.Web.HttpUtility.ParseQueryString(authorizationUrl.Query)["scope"];
        await prose.Err.WriteLineAsync(
            $"mcpauth proxy: {login.Server} asks for authorization; logging in (profile {login.Profile}{(scope is null ? "" : $", scope {scope}")}).")
            .ConfigureAwait(false);
        // The redirect URI's own host: a remembered or imported one (mcp-remote registers http://localhost:PORT/...) is kept.
        var listen = new LoopbackListenerOptions { Host = redirectUri.Host.Trim('[', ']'), Port = redirectUri.Port, Path = redirectUri.AbsolutePath };
        await using var listener = await LoopbackCallbackListener.StartAsync(listen, new PendingFlowRegistry(prose.Time), linked.Token)
            .ConfigureAwait(false);
        new CallbackPortMemory(prose.Home).Remember(login.Server, login.Profile, redirectUri);
        var interaction = new InteractiveAuthorization(prose, browser, listener, new InteractiveAuthorizationOptions(login.NoBrowser, login.Timeout));
        var callback = await interaction.WaitForRedirectAsync(authorizationUrl, linked.Token).ConfigureAwait(false);
        interaction.Report(CallbackOutcome.Success($"McpAuth received the authorization for {login.Server}. You can close this tab."));
        return callback.ResponseUri;
    }
}

/// <summary>
/// Another process held the login lock and has finished its login: this request is sent again, and finds the
/// credential that login stored instead of opening a second browser flow.
/// </summary>
internal sealed class LoginJoinedException() : Exception("Another process finished a login for this server; sending again.");
