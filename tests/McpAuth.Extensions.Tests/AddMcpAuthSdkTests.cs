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
/// The official MCP C# SDK client, configured only through <c>AddMcpAuth</c> and <c>AddMcpAuthHandler</c>, against the
/// sandbox's protected MCP server: it registers, authorizes (headless), calls tools and steps up for the admin scope.
/// </summary>
public sealed class AddMcpAuthSdkTests : IAsyncLifetime
{
    private McpAuth.Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await McpAuth.Sandbox.Sandbox.StartAsync();

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private ServiceProvider Services(Action<McpAuthOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(SuiteLoggerFactory.Instance); // logs at Trace for the secret sweep
        services.AddMcpAuth(options =>
        {
            options.Client.RedirectUri = new Uri("http://127.0.0.1:1/callback");
            configure?.Invoke(options);
        }).UseInMemoryStore();
        services.AddSingleton<IAuthorizationInteraction>(_ => new HeadlessAuthorizationInteraction(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })));
        services.AddHttpClient("mcp").AddMcpAuthHandler(_sandbox.McpServerUrl);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private async Task<McpClient> ConnectAsync(IServiceProvider services, CancellationToken ct)
    {
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("mcp");
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = _sandbox.McpServerUrl, TransportMode = HttpTransportMode.StreamableHttp }, http, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, cancellationToken: ct);
    }

    [Fact]
    public async Task The_SDK_client_configured_only_through_AddMcpAuth_calls_a_protected_tool_and_steps_up()
    {
        await using var services = Services();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await using (var mcp = await ConnectAsync(services, timeout.Token))
        {
            var echo = await mcp.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "via DI" }, cancellationToken: timeout.Token);
            var admin = await mcp.CallToolAsync("admin", cancellationToken: timeout.Token);

            Assert.Equal("via DI", Assert.IsType<TextContentBlock>(Assert.Single(echo.Content)).Text);
            Assert.Equal("admin ok", Assert.IsType<TextContentBlock>(Assert.Single(admin.Content)).Text);
        }
        var stats = _sandbox.AuthorizationServer.Stats;
        Assert.Equal(1, stats.Get(SandboxCounters.Registration));
        Assert.Equal(2, stats.Get(SandboxCounters.Authorize)); // first login, then the step-up for mcp:admin
        Assert.Equal(1, _sandbox.McpServer.Stats.Get(SandboxCounters.McpForbidden));

        // A second connection reuses the stored token: no new authorization.
        await using (var again = await ConnectAsync(services, timeout.Token))
        {
            await again.CallToolAsync("whoami", cancellationToken: timeout.Token);
        }
        Assert.Equal(2, stats.Get(SandboxCounters.Authorize));
        Assert.Same(services.GetRequiredService<McpAuthClient>(), services.GetRequiredService<McpAuthClients>().Default);
    }

    [Fact]
    public async Task Client_credentials_configured_through_AddMcpAuth_need_no_interaction()
    {
        _sandbox.AuthorizationServer.AddClient(new SandboxClient("worker", "worker-secret", SandboxAuthMethods.ClientSecretBasic, [], [SandboxGrantTypes.ClientCredentials]));
        await using var services = Services(options =>
        {
            options.Grant.Kind = McpAuthGrant.ClientCredentials;
            options.Client.PreRegistered = new PreRegisteredClient("worker", "worker-secret", "client_secret_basic");
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await using var mcp = await ConnectAsync(services, timeout.Token);
        var whoami = await mcp.CallToolAsync("whoami", cancellationToken: timeout.Token);

        Assert.False(whoami.IsError ?? false);
        Assert.Equal(0, _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Authorize));
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.TokenRequests("client_credentials"));
    }

    [Fact]
    public async Task Delegation_falls_back_to_the_subject_token_when_the_server_does_not_support_token_exchange()
    {
        await using var services = Services(options => options.Delegation[_sandbox.McpServerUrl.AbsoluteUri] = new DelegationOptions { Scope = "mcp:read" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await using var mcp = await ConnectAsync(services, timeout.Token);
        var echo = await mcp.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "delegated?" }, cancellationToken: timeout.Token);
        await mcp.CallToolAsync("whoami", cancellationToken: timeout.Token);

        Assert.Equal("delegated?", Assert.IsType<TextContentBlock>(Assert.Single(echo.Content)).Text);
        // The sandbox answers unsupported_grant_type once; the fallback is remembered for the same subject token.
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.TokenRequests("urn:ietf:params:oauth:grant-type:token-exchange"));
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Authorize));
    }

    [Fact]
    public async Task A_shared_callback_completes_each_users_flow_under_that_users_profile()
    {
        await using var services = Services();
        var clients = services.GetRequiredService<McpAuthClients>();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var alice = await clients.BeginAuthorizationAsync("acme/alice", _sandbox.McpServerUrl, CancellationToken.None);
        var bob = await clients.BeginAuthorizationAsync("acme/bob", _sandbox.McpServerUrl, CancellationToken.None);

        // The browser comes back in the other order; the state routes each callback.
        var bobCallback = (await browser.GetAsync(bob.AuthorizationUrl)).Headers.Location!;
        var aliceCallback = (await browser.GetAsync(alice.AuthorizationUrl)).Headers.Location!;
        var (bobProfile, _) = await clients.CompleteAuthorizationAsync(bobCallback, CancellationToken.None);
        var (aliceProfile, _) = await clients.CompleteAuthorizationAsync(aliceCallback, CancellationToken.None);

        Assert.Equal("acme/bob", bobProfile);
        Assert.Equal("acme/alice", aliceProfile);
        var vault = services.GetRequiredService<TokenVault>();
        var profiles = (await vault.ListCredentialsAsync(CancellationToken.None)).Credentials.Select(c => c.Binding.Profile).Order();
        Assert.Equal(["acme/alice", "acme/bob"], profiles);
        var replay = await Assert.ThrowsAsync<McpAuthException>(() => clients.CompleteAuthorizationAsync(aliceCallback, CancellationToken.None));
        Assert.Equal(McpAuthErrorCode.StateMismatch, replay.Code);
    }
}

public sealed class PendingFlowBoundTests : IAsyncLifetime
{
    private McpAuth.Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await McpAuth.Sandbox.Sandbox.StartAsync();

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task Pending_flows_are_bounded_per_tenant_and_in_total_and_a_completed_flow_frees_its_slot()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(SuiteLoggerFactory.Instance); // logs at Trace for the secret sweep
        services.AddMcpAuth(options =>
        {
            options.Client.RedirectUri = new Uri("http://127.0.0.1:33418/callback");
            options.Authorization.MaxPendingFlowsPerTenant = 2;
            options.Authorization.MaxPendingFlowsTotal = 3;
        }).UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var clients = provider.GetRequiredService<McpAuthClients>();
        var server = _sandbox.McpServerUrl;

        var first = await clients.BeginAuthorizationAsync("acme/alice", server, CancellationToken.None);
        await clients.BeginAuthorizationAsync("acme/bob", server, CancellationToken.None);
        var tenantFull = await Assert.ThrowsAsync<McpAuthException>(
            () => clients.BeginAuthorizationAsync("acme/carol", server, CancellationToken.None));
        await clients.BeginAuthorizationAsync("globex/dave", server, CancellationToken.None);
        var totalFull = await Assert.ThrowsAsync<McpAuthException>(
            () => clients.BeginAuthorizationAsync("initech/erin", server, CancellationToken.None));

        Assert.Equal(McpAuthErrorCode.TooManyPendingFlows, tenantFull.Code);
        Assert.Equal("tenant", tenantFull.Detail);
        Assert.Equal(McpAuthErrorCode.TooManyPendingFlows, totalFull.Code);
        Assert.Equal("total", totalFull.Detail);

        // Completing alice's flow frees one slot of tenant "acme" and of the total.
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var callback = (await browser.GetAsync(first.AuthorizationUrl)).Headers.Location!;
        var (profile, _) = await clients.CompleteAuthorizationAsync(callback, CancellationToken.None);
        Assert.Equal("acme/alice", profile);
        await clients.BeginAuthorizationAsync("acme/carol", server, CancellationToken.None);
    }

    [Theory]
    [InlineData("acme/alice", "acme")]
    [InlineData("acme/team/alice", "acme")]
    [InlineData("default", "default")]
    public void The_tenant_is_the_profile_before_its_first_slash(string profile, string tenant) =>
        Assert.Equal(tenant, PendingFlowRegistry.TenantOf(profile));
}
