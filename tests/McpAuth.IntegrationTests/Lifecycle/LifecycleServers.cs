using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Sandbox;

namespace McpAuth.IntegrationTests.Lifecycle;

/// <summary>
/// oidc-provider (refresh rotation with replay detection, 90 s access tokens, a resource server allowed to introspect)
/// and a protected MCP server (the sandbox's) that validates every token by introspection at oidc-provider.
/// </summary>
public sealed class LifecycleServers : IAsyncLifetime
{
    public const string ResourceServerId = "resource-server";
    public const string ResourceServerSecret = "rs-secret-lifecycle-0123456789";
    public const int AccessTokenTtl = 90;

    private readonly HttpClient _introspectionHttp = new();

    public OidcProviderServer Oidc { get; private set; } = null!;

    public SandboxMcpServer Mcp { get; private set; } = null!;

    public Uri McpUrl => Mcp.McpServerUrl;

    /// <summary>oidc-provider's interaction mode: null for automatic consent, "html" for its real login and consent pages.</summary>
    public string? Interaction { get; init; }

    public async Task InitializeAsync()
    {
        Oidc = await OidcProviderServer.StartAsync(new OidcServerConfig
        {
            AccessTokenTtl = AccessTokenTtl,
            Clients = [OidcServerConfig.ResourceServerClient(ResourceServerId, ResourceServerSecret)],
            IntrospectionClients = [ResourceServerId],
            Interaction = Interaction,
        });
        var introspection = new Uri(Oidc.IssuerIdentifier + "/token/introspection");
        Mcp = await SandboxMcpServer.StartAsync(
            new SandboxMcpServerOptions { AuthorizationServers = [Oidc.IssuerIdentifier], ScopesSupported = ["mcp:read", "mcp:write"] },
            new IntrospectionTokenValidator(_introspectionHttp, introspection, ResourceServerId, ResourceServerSecret));
    }

    /// <summary>Whether oidc-provider still considers <paramref name="token"/> active (RFC 7662, as the resource server).</summary>
    public async Task<bool> IsActiveAsync(string token)
    {
        using var oauth = new RawOAuth(Oidc.Issuer);
        var answer = await oauth.IntrospectAsync(new Dictionary<string, string> { ["token"] = token }, ResourceServerId, ResourceServerSecret);
        return answer.Body.GetProperty("active").GetBoolean();
    }

    /// <summary>A JSON-RPC ping straight to the protected MCP server with <paramref name="token"/>: the status it answered.</summary>
    public async Task<System.Net.HttpStatusCode> PingAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, McpUrl)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await _introspectionHttp.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Every request oidc-provider answered since the last reset.</summary>
    public async Task<int> AuthorizationServerRequestsAsync() => (await Oidc.StatsAsync()).Requests.Values.Sum();

    public async Task DisposeAsync()
    {
        if (Mcp is not null)
        {
            await Mcp.DisposeAsync();
        }
        if (Oidc is not null)
        {
            await Oidc.DisposeAsync();
        }
        _introspectionHttp.Dispose();
    }
}
