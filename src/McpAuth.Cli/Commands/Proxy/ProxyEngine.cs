using System.Net;
using System.Net.Sockets;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Coordination;
using McpAuth.Cli.Output;
using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Storage;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// The proxy's one engine for the life of the process (public library API only): the file store under the McpAuth
/// home, one <see cref="McpAuthClient"/> (so one credential cache and one discovery per server, however many messages
/// pass), and the redirect URI its logins use. Nothing here touches the network or binds a port.
/// </summary>
internal sealed class ProxyEngine : IDisposable
{
    private readonly HttpClient _oauthHttp;

    private ProxyEngine(McpAuthClient client, Uri redirectUri, HttpClient oauthHttp)
    {
        Client = client;
        RedirectUri = redirectUri;
        _oauthHttp = oauthHttp;
    }

    public McpAuthClient Client { get; }

    /// <summary>Where a login's authorization response comes back; the listener binds it only while a login waits.</summary>
    public Uri RedirectUri { get; }

    public static ProxyEngine Create(CliContext cli, LoginOptions login)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(login);
        var redirect = ChooseRedirectUri(cli.Home, login);
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = cli.Home });
        var options = new McpAuthOptions
        {
            RedirectUri = redirect,
            Profile = login.Profile,
            ClientName = "mcpauth CLI",
            Client = login.ClientId is null ? null : new PreRegisteredClient(login.ClientId, login.ClientSecret),
            ClientMetadataDocumentUrl = login.ClientMetadataUrl,
            Scope = login.Scope,
            // As for every CLI credential: Bearer, so `mcpauth token` and `headers` can hand the same credential out.
            DPoP = DPoPMode.Disabled,
        };
        var http = new HttpClient(OAuthHttpClient.CreateDefaultHandler());
        return new ProxyEngine(new McpAuthClient(options, new TokenVault(store), http, cli.Time, StderrLog.Create<McpAuthClient>(cli)), redirect, http);
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

    public void Dispose() => _oauthHttp.Dispose();
}
