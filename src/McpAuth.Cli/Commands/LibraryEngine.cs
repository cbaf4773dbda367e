using System.Net;
using System.Net.Sockets;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Coordination;
using McpAuth.Cli.Engine;
using McpAuth.Cli.Output;
using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Storage;

namespace McpAuth.Cli.Commands;

/// <summary>
/// The one place the verbs that drive the library directly (<c>proxy</c>, <c>import --from mcp-remote</c>) build
/// their engine, from public library API only: the store the environment chooses (<see cref="CliStore"/>) and one
/// <see cref="McpAuthClient"/> for the life of the command (for the proxy: one credential cache and one discovery per
/// server, however many messages pass), with the redirect URI its logins use. Nothing here touches the network or
/// binds a port.
/// </summary>
internal sealed class LibraryEngine : IAsyncDisposable
{
    private readonly HttpClient _oauthHttp;
    private readonly CliStore _store;

    private LibraryEngine(McpAuthClient client, Uri redirectUri, HttpClient oauthHttp, PendingFlowRegistry pendingFlows, CliStore store)
    {
        Client = client;
        PendingFlows = pendingFlows;
        RedirectUri = redirectUri;
        _oauthHttp = oauthHttp;
        _store = store;
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
        var store = CliStore.Open(cli);
        // The same options every CLI engine gets, with the settings the last login for this server remembered (Entra's
        // --no-resource also leaves resource out of the proxy's refreshes).
        var options = CliEngine.Options(login.Profile, redirect, CliEngine.SettingsFor(cli, login), login.ClientMetadataUrl, login.Scope,
            new CliEngine.LoginExtras(login.ClientSecret, login.ClientKey, login.RegistrationToken, login.NewRegistration), cli.Environment);
        var http = new HttpClient(CliHttp.CreateHandler(cli.Environment, cli.Err));
        var pendingFlows = new PendingFlowRegistry(cli.Time);
        var client = new McpAuthClient(options, new TokenVault(store.Store), http, cli.Time, StderrLog.Create<McpAuthClient>(cli), pendingFlows: pendingFlows);
        return new LibraryEngine(client, redirect, http, pendingFlows, store);
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

    public async ValueTask DisposeAsync()
    {
        _oauthHttp.Dispose();
        await _store.DisposeAsync().ConfigureAwait(false);
    }
}
