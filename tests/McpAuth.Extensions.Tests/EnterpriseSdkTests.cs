using System.Text.Json;
using McpAuth.Engine;
using McpAuth.Extensions.DependencyInjection;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Sandbox;
using McpAuth.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAuth.Extensions.Tests;

/// <summary>
/// Enterprise-managed authorization end to end over HTTP: a real (small) IdP performing the ID-JAG exchange, and sandbox
/// MCP servers whose authorization servers accept the JWT bearer grant with the IdP's ID-JAGs. The MCP SDK client is
/// configured only through <c>AddMcpAuth</c>.
/// </summary>
public sealed class EnterpriseSdkTests : IAsyncLifetime
{
    private readonly InMemoryTokenStore _store = new();
    private TestEnterpriseIdp _idp = null!;
    private readonly List<Sandbox.Sandbox> _servers = [];

    public async Task InitializeAsync() => _idp = await TestEnterpriseIdp.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        await _idp.DisposeAsync();
    }

    private async Task<Sandbox.Sandbox> StartMcpServerAsync()
    {
        string issuer = "";
        var sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new() { JwtBearerAssertionValidator = assertion => _idp.Validate(assertion, issuer) },
        });
        issuer = sandbox.AuthorizationServer.IssuerIdentifier;
        sandbox.AuthorizationServer.AddClient(new SandboxClient("mcp-client", "mcp-secret", SandboxAuthMethods.ClientSecretBasic, [], [SandboxGrantTypes.JwtBearer]));
        _servers.Add(sandbox);
        return sandbox;
    }

    private ServiceProvider Services(params Sandbox.Sandbox[] servers)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(SuiteLoggerFactory.Instance); // logs at Trace for the secret sweep
        services.AddMcpAuth(options =>
        {
            options.Grant.Kind = McpAuthGrant.EnterpriseManaged;
            options.Client.PreRegistered = new PreRegisteredClient("mcp-client", "mcp-secret", "client_secret_basic");
            options.Grant.Enterprise = new EnterpriseIdentityOptions(_idp.TokenEndpoint, TestEnterpriseIdp.ClientId, _ => _idp.LoginAsync("alice@corp"),
                TestEnterpriseIdp.ClientSecret);
        }).UseStore(_ => _store);
        foreach (var server in servers)
        {
            services.AddHttpClient(server.McpServerUrl.AbsoluteUri).AddMcpAuthHandler(server.McpServerUrl);
        }
        return services.BuildServiceProvider();
    }

    private static async Task<string> WhoAmIAsync(IServiceProvider services, Sandbox.Sandbox server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(server.McpServerUrl.AbsoluteUri);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = server.McpServerUrl, TransportMode = HttpTransportMode.StreamableHttp }, http, ownsHttpClient: true);
        await using var mcp = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
        var result = await mcp.CallToolAsync("whoami", cancellationToken: timeout.Token);
        using var json = JsonDocument.Parse(Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        return json.RootElement.GetProperty("sub").GetString()!;
    }

    [Fact]
    public async Task One_IdP_login_reaches_every_MCP_server_and_a_revoked_ID_token_means_one_new_login()
    {
        var first = await StartMcpServerAsync();
        var second = await StartMcpServerAsync();
        await using (var services = Services(first, second))
        {
            Assert.Equal("alice@corp", await WhoAmIAsync(services, first));
            Assert.Equal("alice@corp", await WhoAmIAsync(services, second));
        }
        Assert.Equal(1, _idp.Logins);
        Assert.Equal(2, _idp.Exchanges);
        Assert.All(_servers, s => Assert.Equal(1, s.AuthorizationServer.Stats.TokenRequests(SandboxGrantTypes.JwtBearer)));
        Assert.All(_servers, s => Assert.Equal(0, s.AuthorizationServer.Stats.Get(SandboxCounters.Authorize)));

        // The IdP session ends; the next MCP server's exchange is refused, the cached ID token replaced by one login.
        _idp.RevokeIdTokens();
        var third = await StartMcpServerAsync();
        await using (var services = Services(third))
        {
            Assert.Equal("alice@corp", await WhoAmIAsync(services, third));
        }
        Assert.Equal(2, _idp.Logins);
        Assert.Equal(4, _idp.Exchanges);
    }

    [Fact]
    public async Task An_authorization_server_that_refuses_the_ID_JAG_fails_the_JWT_bearer_leg_and_keeps_the_ID_token()
    {
        var server = await StartMcpServerAsync();
        server.AuthorizationServer.RemoveClient("mcp-client");
        server.AuthorizationServer.AddClient(new SandboxClient("mcp-client", "mcp-secret", SandboxAuthMethods.ClientSecretBasic, [], [SandboxGrantTypes.ClientCredentials]));
        await using var services = Services(server);

        var e = await Assert.ThrowsAnyAsync<Exception>(() => WhoAmIAsync(services, server));

        var failure = Assert.IsType<EnterpriseAuthorizationException>(e as EnterpriseAuthorizationException ?? e.InnerException);
        Assert.Equal(EnterpriseLeg.JwtBearerGrant, failure.Leg);
        Assert.Equal("unauthorized_client", failure.OAuthError);
        Assert.NotNull(await services.GetRequiredService<TokenVault>().GetIdentityTokenAsync("default", _idp.TokenEndpoint.GetLeftPart(UriPartial.Authority), default));
    }
}
