using McpAuth.Engine;

namespace McpAuth.Tests.Orchestration;

public class ImportTests
{
    private static readonly Uri Server = LifecycleWorld.Server;

    [Fact]
    public async Task Import_binds_through_discovery_like_a_login_and_a_new_process_uses_the_token_without_any_request()
    {
        var world = new LifecycleWorld();
        var stored = await world.World.Client().ImportAsync(Server,
            new ImportedTokens("old-at", "legacy-client") { RefreshToken = "old-rt", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1), Scope = "mcp:basic" }, default);
        Assert.Equal(("default", OAuthWorld.Server, OAuthWorld.Issuer, "legacy-client"),
            (stored.Binding.Profile, stored.Binding.Resource, stored.Binding.Issuer, stored.Binding.ClientId));
        Assert.Equal("https://as.example.com/token", stored.TokenEndpoint);
        Assert.Equal(LifecycleWorld.RevocationEndpoint, stored.RevocationEndpoint);
        Assert.Equal("legacy-client", await world.World.Vault.GetActiveClientIdAsync("default", OAuthWorld.Server, OAuthWorld.Issuer, default));
        Assert.DoesNotContain(world.World.Http.Keys, k => k.Contains("/register", StringComparison.Ordinal) || k.Contains("/token", StringComparison.Ordinal));
        var before = world.World.Http.Requests.Count;
        Assert.Equal("old-at", (await world.World.Client().GetAccessTokenAsync(Server, default)).Value);
        Assert.Equal(before, world.World.Http.Requests.Count);
    }

    [Fact]
    public async Task A_public_client_imported_with_its_redirect_uri_is_reused_by_a_later_login_with_that_redirect_uri()
    {
        var world = new LifecycleWorld();
        var redirect = new Uri("http://localhost:48123/oauth/callback"); // as mcp-remote registers it
        var options = () => new McpAuthOptions { Client = { RedirectUri = redirect } };
        await world.World.Client(options()).ImportAsync(Server,
            new ImportedTokens("old-at", "mcp-remote-client") { ExpiresAt = DateTimeOffset.UtcNow.AddHours(1), RedirectUri = redirect }, default);

        await world.World.Client(options()).AuthorizeAsync(Server, world.World.Interaction, default);

        Assert.Equal(0, world.World.Registrations);
        var authorize = world.World.Http.Requests.Single(r => r.Uri.AbsolutePath == "/authorize");
        Assert.Contains("client_id=mcp-remote-client", authorize.Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_imported_confidential_client_refreshes_with_its_secret_at_the_overridden_token_endpoint()
    {
        var world = new LifecycleWorld(""","token_endpoint_auth_methods_supported":["client_secret_post"]""");
        world.World.Http.On("POST", "https://legacy.example.com/token",
            _ => FakeHttp.Json("""{"access_token":"new-at","token_type":"Bearer","expires_in":3600}"""));
        await world.World.Client().ImportAsync(Server, new ImportedTokens("old-at", "legacy")
        {
            RefreshToken = "old-rt", ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1), ClientSecret = "pw",
            TokenEndpoint = new Uri("https://legacy.example.com/token"),
        }, default);
        Assert.Equal("new-at", (await world.World.Client().GetAccessTokenAsync(Server, default)).Value);
        var refresh = world.World.Http.Requests.Single(r => r.Key == "POST https://legacy.example.com/token").Form();
        Assert.Equal(("refresh_token", "old-rt", "legacy", "pw"), (refresh["grant_type"], refresh["refresh_token"], refresh["client_id"], refresh["client_secret"]));
        Assert.Equal("old-rt", (await world.World.Vault.ListCredentialsAsync(default)).Credentials.Single().Tokens.RefreshToken);
    }

    [Fact]
    public async Task Import_under_another_profile_does_not_touch_the_default_profile()
    {
        var world = new LifecycleWorld();
        var client = world.World.Client();
        await client.ImportAsync(Server, new ImportedTokens("work-at", "c") { Profile = "work" }, default);
        Assert.Equal(McpAuthErrorCode.LoginRequired,
            (await Assert.ThrowsAsync<McpAuthException>(() => client.GetAccessTokenAsync(Server, default))).Code);
        Assert.Equal("work-at", (await world.World.Client(new McpAuthOptions { Profile = "work" }).GetAccessTokenAsync(Server, default)).Value);
    }

    [Fact]
    public async Task A_resource_mismatch_refuses_the_import_and_stores_nothing()
    {
        var world = new OAuthWorld(prmResource: "https://other.example.com/mcp");
        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().ImportAsync(Server, new ImportedTokens("at", "c"), default));
        Assert.Equal(McpAuthErrorCode.ResourceMismatch, e.Code);
        Assert.Empty((await world.Vault.ListCredentialsAsync(default)).Credentials);
    }

    [Fact]
    public async Task An_insecure_token_endpoint_override_is_refused_before_any_request()
    {
        var world = new OAuthWorld();
        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().ImportAsync(Server,
            new ImportedTokens("at", "c") { TokenEndpoint = new Uri("http://legacy.example.com/token") }, default));
        Assert.Equal(McpAuthErrorCode.InsecureEndpoint, e.Code);
        Assert.Empty(world.Http.Requests);
    }
}
