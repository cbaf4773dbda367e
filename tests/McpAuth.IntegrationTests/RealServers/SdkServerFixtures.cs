using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.IntegrationTests.RealServers;

/// <summary>
/// Two C# SDK servers (tests/SdkServer), stateless (2026-07-28) and stateful, each with OpenIddict 7.9.0 in the same
/// process as its authorization server: one pre-registered confidential client each (no dynamic registration), whose
/// one redirect URI is on a port picked here (OpenIddict compares redirect URIs exactly, ports included), and JWT
/// access tokens for 300 s.
/// </summary>
public sealed class OpenIddictSdkServers : IAsyncLifetime
{
    public const string ClientId = "mcpauth-cli";

    /// <summary>The client secret: handed to mcpauth only through an environment variable.</summary>
    public string ClientSecret { get; } = "oi-secret-" + Guid.NewGuid().ToString("N");

    private readonly Dictionary<string, (SdkMcpServer Server, int CallbackPort)> _servers = [];

    public SdkMcpServer Server(string sessionMode) => _servers[sessionMode].Server;

    /// <summary>The port of the one redirect URI registered for the client at this server.</summary>
    public int CallbackPort(string sessionMode) => _servers[sessionMode].CallbackPort;

    public async Task InitializeAsync()
    {
        async Task StartAsync(string mode)
        {
            var port = TestTools.FreeLoopbackPort();
            var server = await SdkMcpServer.StartAsync(new SdkServerSettings(mode, "openiddict", 300, ClientId, ClientSecret,
                $"http://127.0.0.1:{port}/callback"));
            lock (_servers)
            {
                _servers[mode] = (server, port);
            }
        }
        await Task.WhenAll(StartAsync("stateless"), StartAsync("stateful"));
    }

    public async Task DisposeAsync()
    {
        foreach (var (server, _) in _servers.Values)
        {
            await server.DisposeAsync();
        }
    }
}

/// <summary>
/// oidc-provider (tests/js, JWT access tokens for 300 s, dynamic registration) and two C# SDK servers (tests/SdkServer)
/// that validate its JWTs, stateless (2026-07-28) and stateful.
/// </summary>
public sealed class OidcProviderSdkServers : IAsyncLifetime
{
    private readonly Dictionary<string, SdkMcpServer> _servers = [];

    public OidcProviderServer Oidc { get; private set; } = null!;

    public SdkMcpServer Server(string sessionMode) => _servers[sessionMode];

    public async Task InitializeAsync()
    {
        Oidc = await OidcProviderServer.StartAsync(new OidcServerConfig { AccessTokenFormat = "jwt", AccessTokenTtl = 300, AccountId = "alice" });
        async Task StartAsync(string mode)
        {
            var server = await SdkMcpServer.StartAsync(new SdkServerSettings(mode, Oidc.IssuerIdentifier));
            lock (_servers)
            {
                _servers[mode] = server;
            }
        }
        await Task.WhenAll(StartAsync("stateless"), StartAsync("stateful"));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }
        if (Oidc is not null)
        {
            await Oidc.DisposeAsync();
        }
    }
}
