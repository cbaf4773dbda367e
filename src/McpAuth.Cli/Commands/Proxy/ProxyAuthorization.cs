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
/// <param name="storedToken">
/// The access token the store holds for the server now, read by another engine instance than the one waiting on this
/// login (whose per-server gate is held); null when there is none.
/// </param>
/// <param name="lastRejected">The access token the server last rejected; null when the request carried none.</param>
internal sealed class ProxyAuthorization(
    CliContext prose, IBrowserLauncher browser, LoginOptions login, LoginBudget budget, Func<CancellationToken, Task<string?>> storedToken,
    Func<string?> lastRejected, PendingFlowRegistry pendingFlows, CancellationToken stopping)
    : IAuthorizationInteraction
{
    private LoginLock? _held;

    /// <summary>
    /// Releases the login lock a login of this proxy still holds: it is kept past the browser until the request that
    /// started the login has its answer, so the code exchange and the save happen under it too, and another proxy that
    /// waited on it finds the stored credential. Called after every request (<see cref="LoginBudget"/>) and at exit.
    /// </summary>
    public async ValueTask ReleaseLockAsync()
    {
        if (Interlocked.Exchange(ref _held, null) is { } held)
        {
            await held.DisposeAsync().ConfigureAwait(false);
        }
    }

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
        await ReleaseLockAsync().ConfigureAwait(false);
        var held = await LoginLock.AcquireAsync(LoginLock.PathFor(prose.Home, login.Server, login.Profile), false, () =>
        {
            waited = true;
            prose.Err.WriteLine($"mcpauth proxy: a login for {login.Server} (profile {login.Profile}) is in progress elsewhere; waiting for it...");
        }, prose.Time, linked.Token).ConfigureAwait(false);
        try
        {
            var response = await LogInAsync(authorizationUrl, redirectUri, waited, linked.Token).ConfigureAwait(false);
            _held = held;
            return response;
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Uri> LogInAsync(Uri authorizationUrl, Uri redirectUri, bool waited, CancellationToken cancellationToken)
    {
        // Another proxy or `mcpauth login` may have logged in since this request went out (while this one waited on the
        // lock, or just before): a stored token other than the rejected one is theirs, and the request is sent again.
        if (waited || await storedToken(cancellationToken).ConfigureAwait(false) is { } stored && stored != lastRejected())
        {
            throw new LoginJoinedException();
        }
        var scope = System.Web.HttpUtility.ParseQueryString(authorizationUrl.Query)["scope"];
        await prose.Err.WriteLineAsync(
            $"mcpauth proxy: {login.Server} asks for authorization; logging in (profile {login.Profile}{(scope is null ? "" : $", scope {scope}")}).")
            .ConfigureAwait(false);
        // The redirect URI's own host: a remembered or imported one (mcp-remote registers http://localhost:PORT/...) is kept.
        var listen = new LoopbackListenerOptions { Host = redirectUri.Host.Trim('[', ']'), Port = redirectUri.Port, Path = redirectUri.AbsolutePath };
        await using var listener = await LoopbackCallbackListener.StartAsync(listen, pendingFlows, cancellationToken)
            .ConfigureAwait(false);
        new CallbackPortMemory(prose.Home).Remember(login.Server, login.Profile, redirectUri);
        var interaction = new InteractiveAuthorization(prose, browser, listener, new InteractiveAuthorizationOptions(login.NoBrowser, login.Timeout));
        // The page the browser shows says how the engine finished the flow (the registry reports it).
        return await interaction.WaitForRedirectAsync(authorizationUrl, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Another process held the login lock and has finished its login: this request is sent again, and finds the
/// credential that login stored instead of opening a second browser flow.
/// </summary>
internal sealed class LoginJoinedException() : Exception("Another process finished a login for this server; sending again.");
