using McpAuth.Cli.Callback;
using McpAuth.Cli.Coordination;
using McpAuth.Cli.Engine;
using McpAuth.Cli.Output;
using McpAuth.Engine;

namespace McpAuth.Cli.Commands.Login;

/// <summary>
/// The run step of <c>mcpauth login</c>: takes the per-(server, profile) login lock (joining a login already in progress,
/// or replacing it with --replace), binds the loopback listener on the remembered port, lets the engine authorize through
/// it, reports the result to the browser page and the terminal.
/// </summary>
public sealed class LoginRunner(CliContext cli, Func<ICliEngine> engine, IBrowserLauncher browser)
{
    public async Task<int> RunAsync(LoginOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var core = engine();
        var waited = false;
        await using var held = await LoginLock.AcquireAsync(LoginLock.PathFor(cli.Home, options.Server, options.Profile), options.Replace,
            () =>
            {
                waited = true;
                cli.Err.WriteLine(options.Replace
                    ? $"Replacing the login in progress for {options.Server} (profile {options.Profile})..."
                    : $"A login for {options.Server} (profile {options.Profile}) is already in progress; joining it (--replace takes over)...");
            }, cli.Time, cancellationToken).ConfigureAwait(false);
        if (waited && !options.Replace && await core.FindUsableAsync(options.Server, options.Profile, cancellationToken).ConfigureAwait(false) is { } joined)
        {
            return await ReportAsync(options, joined, "joined", core.Storage).ConfigureAwait(false);
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Replaced);
        try
        {
            var view = options.Device
                ? await LoginOnAnotherDeviceAsync(core, options, linked.Token).ConfigureAwait(false)
                : await LoginThroughBrowserAsync(core, options, linked.Token).ConfigureAwait(false);
            return await ReportAsync(options, view, "logged_in", core.Storage).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (held.Replaced.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new CliException("Another 'mcpauth login --replace' took over this login.", ExitCodes.Cancelled);
        }
    }

    /// <summary>The device grant (RFC 8628), given up after --timeout like the browser flow.</summary>
    private async Task<CredentialView> LoginOnAnotherDeviceAsync(ICliEngine core, LoginOptions options, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, cli.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await core.LoginAsync(options, null, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw InteractiveAuthorization.GaveUp(options.Timeout);
        }
    }

    private async Task<CredentialView> LoginThroughBrowserAsync(ICliEngine core, LoginOptions options, CancellationToken cancellationToken)
    {
        var ports = new CallbackPortMemory(cli.Home);
        var listen = options.Callback with { PreviousPort = options.Callback.Port is null ? ports.Recall(options.Server, options.Profile) : null };
        await using var listener = await LoopbackCallbackListener.StartAsync(listen, new PendingFlowRegistry(cli.Time), cancellationToken)
            .ConfigureAwait(false);
        if (listener.PortChanged)
        {
            await cli.Err.WriteLineAsync(cli.Yellow(
                $"Port {listen.PreviousPort} used last time is taken; using {listener.Port} (the client may be registered again).")).ConfigureAwait(false);
        }
        ports.Remember(options.Server, options.Profile, listener.RedirectUri);
        var interaction = new InteractiveAuthorization(cli, browser, listener, new InteractiveAuthorizationOptions(options.NoBrowser, options.Timeout));
        // The browser page reports the engine's end of the flow (CallbackPage.Finished): logged in, or why not.
        return await core.LoginAsync(options, interaction, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> ReportAsync(LoginOptions options, CredentialView view, string status, StorageInfo storage)
    {
        var now = cli.Time.GetUtcNow();
        if (options.Json)
        {
            await CliJsonContext.WriteAsync(cli, new LoginJson(status, CredentialJson.From(view, storage, now, showToken: false)),
                CliJsonContext.Default.LoginJson).ConfigureAwait(false);
        }
        var expiry = view.ExpiresAt is { } e ? $"; the token expires {RelativeTime.Format(e, now)}" : "";
        var verb = status == "joined" ? "Joined the login in progress: logged in" : "Logged in";
        await cli.Err.WriteLineAsync(cli.Green(
            $"{verb} to {view.Server} (profile {view.Profile}) at {view.Issuer} as client {view.ClientId}{expiry}.")).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
