using McpAuth.Engine.Refresh;
using McpAuth.Engine;

namespace McpAuth.Tests.Orchestration;

public class ColdStartTests
{
    [Theory]
    [InlineData(OAuthWorld.Server)]
    [InlineData("https://MCP.example.com:443/mcp")]
    public async Task A_new_client_over_the_same_store_resolves_a_valid_token_with_zero_requests(string typed)
    {
        // The metadata publishes a resource that differs from the server URL: the binding uses the published one.
        var world = new LifecycleWorld();
        world.World.Http.OnJson("GET", OAuthWorld.Prm, """{"resource":"https://mcp.example.com/","authorization_servers":["https://as.example.com"]}""");
        var first = await world.LoggedInAsync();
        var expected = (await first.GetAccessTokenAsync(LifecycleWorld.Server, default)).Value;
        var before = world.World.Http.Requests.Count;
        var token = await world.World.Client().GetAccessTokenAsync(new Uri(typed), default);
        Assert.Equal(expected, token.Value);
        Assert.NotNull(token.ExpiresAt);
        Assert.Equal(before, world.World.Http.Requests.Count);
    }

    [Fact]
    public async Task A_new_client_refreshes_an_expired_stored_token_with_the_token_request_alone_while_its_discovery_is_young()
    {
        var world = new LifecycleWorld();
        var time = new ManualTimeProvider();
        await new McpAuthClient(new McpAuthOptions(), world.World.Vault, new HttpClient(world.World.Http), time)
            .AuthorizeAsync(LifecycleWorld.Server, world.World.Interaction, default);
        time.Advance(TimeSpan.FromHours(2));
        var before = world.World.Http.Requests.Count;
        var token = await new McpAuthClient(new McpAuthOptions(), world.World.Vault, new HttpClient(world.World.Http), time)
            .GetAccessTokenAsync(LifecycleWorld.Server, default);
        Assert.Equal("at-2", token.Value);
        var refresh = Assert.Single(world.World.Http.Requests.Skip(before));
        Assert.Equal(("refresh_token", "rt-1"), (refresh.Form()["grant_type"], refresh.Form()["refresh_token"]));
    }

    [Fact]
    public async Task A_new_client_checks_the_binding_by_discovery_first_when_the_stored_discovery_is_older_than_its_maximum_age()
    {
        var world = new LifecycleWorld();
        var time = new ManualTimeProvider();
        var options = () => new McpAuthOptions { Refresh = new RefreshOptions { DiscoveryMaxAge = TimeSpan.FromHours(1) } };
        await new McpAuthClient(options(), world.World.Vault, new HttpClient(world.World.Http), time)
            .AuthorizeAsync(LifecycleWorld.Server, world.World.Interaction, default);
        time.Advance(TimeSpan.FromHours(2));
        var before = world.World.Http.Requests.Count;
        var token = await new McpAuthClient(options(), world.World.Vault, new HttpClient(world.World.Http), time)
            .GetAccessTokenAsync(LifecycleWorld.Server, default);
        Assert.Equal("at-2", token.Value);
        var sent = world.World.Http.Requests.Skip(before).ToList();
        Assert.True(sent.Count > 1);
        Assert.All(sent.SkipLast(1), r => Assert.Equal(HttpMethod.Get, r.Method));
        Assert.Equal("refresh_token", sent[^1].Form()["grant_type"]);
    }

    [Fact]
    public async Task A_process_that_finds_the_refresh_done_by_another_sends_nothing_not_even_the_binding_check()
    {
        var world = new LifecycleWorld();
        var time = new ManualTimeProvider();
        McpAuthClient NewProcess() => new(new McpAuthOptions(), world.World.Vault, new HttpClient(world.World.Http), time);
        await NewProcess().AuthorizeAsync(LifecycleWorld.Server, world.World.Interaction, default);
        var waiting = NewProcess();
        Assert.Equal("at-1", (await waiting.GetAccessTokenAsync(LifecycleWorld.Server, default)).Value); // loaded from the store
        time.Advance(TimeSpan.FromHours(2));

        Assert.Equal("at-2", (await NewProcess().GetAccessTokenAsync(LifecycleWorld.Server, default)).Value); // checks, refreshes
        var before = world.World.Http.Requests.Count;
        Assert.Equal("at-2", (await waiting.GetAccessTokenAsync(LifecycleWorld.Server, default)).Value);

        Assert.Equal(before, world.World.Http.Requests.Count);
    }

    [Fact]
    public async Task A_new_client_never_refreshes_when_the_server_now_names_another_authorization_server_and_its_record_is_old()
    {
        var world = new LifecycleWorld();
        var time = new ManualTimeProvider();
        await new McpAuthClient(new McpAuthOptions(), world.World.Vault, new HttpClient(world.World.Http), time)
            .AuthorizeAsync(LifecycleWorld.Server, world.World.Interaction, default);
        world.World.AddAuthorizationServer("https://as2.example.com");
        world.World.Http.OnJson("GET", OAuthWorld.Prm, """{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://as2.example.com"]}""");
        time.Advance(new RefreshOptions().DiscoveryMaxAge + TimeSpan.FromHours(2)); // the stored discovery is too old to answer
        var before = world.World.Http.Requests.Count;
        var e = await Assert.ThrowsAsync<McpAuthException>(() =>
            new McpAuthClient(new McpAuthOptions(), world.World.Vault, new HttpClient(world.World.Http), time).GetAccessTokenAsync(LifecycleWorld.Server, default));
        Assert.Equal(McpAuthErrorCode.LoginRequired, e.Code);
        Assert.DoesNotContain(world.World.Http.Requests.Skip(before), r => r.Method == HttpMethod.Post);
    }

    [Fact]
    public async Task A_changed_pre_registered_client_does_not_use_the_other_clients_stored_login()
    {
        var world = new LifecycleWorld();
        await world.LoggedInAsync();
        var e = await Assert.ThrowsAsync<McpAuthException>(() =>
            world.World.Client(new McpAuthOptions { Client = { PreRegistered = new PreRegisteredClient("another") } }).GetAccessTokenAsync(LifecycleWorld.Server, default));
        Assert.Equal(McpAuthErrorCode.LoginRequired, e.Code);
    }
}
