using System.Net;
using System.Net.Sockets;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Coordination;
using McpAuth.Cli.Engine;
using McpAuth.Engine;

namespace McpAuth.Cli.Commands;

/// <summary>
/// The engine of the verbs that drive the library directly (<c>proxy</c>, <c>import --from mcp-remote</c>): one
/// <see cref="McpAuthClient"/> for the life of the command (for the proxy: one credential cache and one discovery per
/// server, however many messages pass), made by <see cref="CliEngine.ForLogin(LoginOptions, Uri, PendingFlowRegistry?)"/>
/// like every CLI engine (the store the environment chooses, the CLI's sender and options), with the redirect URI its
/// logins use. Nothing here touches the network or binds a port.
/// </summary>
internal sealed class LibraryEngine : IAsyncDisposable
{
    private readonly CliEngine _engine;

    private LibraryEngine(CliEngine engine, McpAuthClient client, Uri redirectUri, PendingFlowRegistry pendingFlows)
    {
        _engine = engine;
        Client = client;
        PendingFlows = pendingFlows;
        RedirectUri = redirectUri;
    }

    public McpAuthClient Client { get; }

    /// <summary>The engine's pending flows, which the loopback listener of a login hands its callback to.</summary>
    public PendingFlowRegistry PendingFlows { get; }

    /// <summary>Where a login's authorization response comes back; the listener binds it only while a login waits.</summary>
    public Uri RedirectUri { get; }

    /// <summary>An engine that logs in as <paramref name="login"/> asks; <paramref name="redirectUri"/> overrides its choice.</summary>
    public static LibraryEngine Create(CliContext cli, LoginOptions login, Uri? redirectUri = null)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(login);
        var redirect = redirectUri ?? ChooseRedirectUri(cli.Home, login);
        var engine = EngineFactory.Create(cli);
        var pendingFlows = new PendingFlowRegistry(cli.Time);
        return new LibraryEngine(engine, engine.ForLogin(login, redirect, pendingFlows), redirect, pendingFlows);
    }

    /// <summary>
    /// --callback-port when given; else the redirect URI the last login for this server and profile used (its
    /// registration stays valid); else a port free now on the loopback host, which the listener binds when a login
    /// needs it.
    /// </summary>
    private static Uri ChooseRedirectUri(string home, LoginOptions login)
    {
        var callback = login.Callback;
        var host = callback.Host is "::1" ? "[::1]" : callback.Host;
        if (callback.Port is { } port)
        {
            return new Uri($"http://{host}:{port}{callback.Path}");
        }
        if (new CallbackPortMemory(home).RecallRedirectUri(login.Server, login.Profile) is { } remembered)
        {
            return remembered;
        }
        return new Uri($"http://{host}:{FreePort(callback.Host)}{callback.Path}");
    }

    private static int FreePort(string host)
    {
        using var probe = new TcpListener(host is "::1" or "[::1]" ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();
}
