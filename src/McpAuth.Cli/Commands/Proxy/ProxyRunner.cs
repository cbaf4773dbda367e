using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Engine;
using McpAuth.Cli.Output;
using McpAuth.Engine.Events;
using ModelContextProtocol.Server;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// <c>mcpauth proxy</c>: a bridge between the MCP SDK's stdio server transport (the MCP client that started this
/// process) and its HTTP client transport to the remote server, with McpAuth's credential attached. Nothing is sent
/// before the client sends, and no login starts before the server asks for one. stdout carries only MCP messages;
/// every word of prose (login prompts included) goes to stderr.
/// </summary>
public sealed class ProxyRunner(CliContext cli, IBrowserLauncher browser)
{
    public async Task<int> RunAsync(ProxyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prose = new CliContext
        {
            Out = cli.Err,
            Err = cli.Err,
            In = TextReader.Null,
            Environment = cli.Environment,
            IsInteractive = false,
            UseColor = cli.UseColor,
            Time = cli.Time,
        };
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var engine = LibraryEngine.Create(cli, options.Login);
        using var events = engine.Client.Events.Subscribe();
        var remembering = RememberLoginsAsync(events, options.Login, stopping.Token);
        var budget = new LoginBudget();
        RejectedTokenWatch? rejections = null;
        var interaction = new ProxyAuthorization(prose, browser, options.Login, budget, ct => StoredTokenAsync(options, ct),
            () => rejections?.LastRejected, engine.PendingFlows, stopping.Token);
        budget.RequestDone = interaction.ReleaseLockAsync;
        using var http = RemoteConnector.CreateHttpClient(engine.Client, options.Server, cli.Environment, interaction, budget, out rejections);
        using var logs = StderrLog.CreateFactory(cli);
        var remote = new RemoteConnector(http, options, options.Login.Timeout + TimeSpan.FromSeconds(30), logs);
        await using var stdio = new StdioServerTransport("mcpauth-proxy", logs);
        try
        {
            return await new McpBridge(stdio, remote.ConnectAsync, cli.Err).RunAsync(stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            await interaction.ReleaseLockAsync().ConfigureAwait(false);
            await remembering.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The proxy takes login's flags (it may have to log in): once a login of this proxy succeeds, what they were is
    /// remembered as `mcpauth login` remembers it, so `token` and later proxies use them. Events still queued when the
    /// proxy stops are read too.
    /// </summary>
    private async Task RememberLoginsAsync(CredentialSubscription events, LoginOptions login, CancellationToken cancellationToken)
    {
        try
        {
            while (await events.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                RememberIfAuthorized(events, login);
            }
        }
        catch (OperationCanceledException)
        {
            RememberIfAuthorized(events, login);
        }
    }

    private void RememberIfAuthorized(CredentialSubscription events, LoginOptions login)
    {
        var authorized = false;
        while (events.Reader.TryRead(out var e))
        {
            authorized |= e.Kind == CredentialEventKind.Authorized;
        }
        if (authorized)
        {
            CliEngine.RememberLogin(cli, login, CliEngine.SettingsFor(cli, login));
        }
    }

    /// <summary>
    /// The token stored for the server now, through a second engine made only when a login is about to start (the
    /// proxy's own engine holds the server's gate while it waits for the login).
    /// </summary>
    private async Task<string?> StoredTokenAsync(ProxyOptions options, CancellationToken cancellationToken)
    {
        await using var peek = LibraryEngine.Create(cli, options.Login);
        try
        {
            return (await peek.Client.GetAccessTokenAsync(options.Server, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (McpAuthException)
        {
            return null;
        }
    }
}
