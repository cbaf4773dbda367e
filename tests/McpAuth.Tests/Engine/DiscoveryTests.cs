using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Protocol;

namespace McpAuth.Tests.Orchestration;

public class DiscoveryTests
{
    private static Discovery Create(FakeHttp http, McpAuthOptions? options = null) =>
        new(new OAuthHttpClient(new HttpClient(http)), options ?? new McpAuthOptions());

    private static AuthenticationChallenge Challenge(string url) =>
        WwwAuthenticate.Parse($"Bearer resource_metadata=\"{url}\"").Single();

    [Fact]
    public async Task The_challenge_url_is_used_first_and_alone_when_it_answers()
    {
        var world = new OAuthWorld();
        world.Http.OnJson("GET", "https://mcp.example.com/custom.json",
            """{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://as.example.com"]}""");
        var result = await Create(world.Http).DiscoverAsync(new Uri(OAuthWorld.Server), Challenge("https://mcp.example.com/custom.json"), default);
        Assert.Equal(["GET https://mcp.example.com/custom.json", "GET https://as.example.com/.well-known/oauth-authorization-server"], world.Http.Keys);
        Assert.Equal("https://as.example.com", result.Issuer);
        Assert.Equal("https://mcp.example.com/mcp", result.Resource);
    }

    [Fact]
    public async Task Without_a_challenge_the_path_inserted_url_comes_before_the_root()
    {
        var http = new FakeHttp()
            .On("GET", OAuthWorld.Prm, _ => FakeHttp.Status(404))
            .OnJson("GET", OAuthWorld.PrmRoot, """{"resource":"https://mcp.example.com","authorization_servers":["https://as.example.com/tenant1"]}""")
            .On("GET", "https://as.example.com/.well-known/oauth-authorization-server/tenant1", _ => FakeHttp.Status(404))
            .On("GET", "https://as.example.com/.well-known/openid-configuration/tenant1", _ => FakeHttp.Status(404))
            .OnJson("GET", "https://as.example.com/tenant1/.well-known/openid-configuration",
                """{"issuer":"https://as.example.com/tenant1","token_endpoint":"https://as.example.com/tenant1/token","code_challenge_methods_supported":["S256"]}""");
        var result = await Create(http).DiscoverAsync(new Uri(OAuthWorld.Server), null, default);
        Assert.Equal(
        [
            $"GET {OAuthWorld.Prm}", $"GET {OAuthWorld.PrmRoot}",
            "GET https://as.example.com/.well-known/oauth-authorization-server/tenant1",
            "GET https://as.example.com/.well-known/openid-configuration/tenant1",
            "GET https://as.example.com/tenant1/.well-known/openid-configuration",
        ], http.Keys);
        Assert.Equal("https://mcp.example.com", result.Resource);
    }

    [Fact]
    public async Task A_resource_mismatch_is_refused_before_the_authorization_server_is_contacted()
    {
        var world = new OAuthWorld(prmResource: "https://evil.example.com/mcp");
        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(new Uri(OAuthWorld.Server), world.Interaction, default));
        Assert.Equal(McpAuthErrorCode.ResourceMismatch, e.Code);
        Assert.Equal([$"GET {OAuthWorld.Prm}"], world.Http.Keys);
    }

    [Fact]
    public async Task Metadata_naming_another_issuer_is_refused()
    {
        var http = new FakeHttp()
            .OnJson("GET", OAuthWorld.Prm, """{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://as.example.com"]}""")
            .OnJson("GET", "https://as.example.com/.well-known/oauth-authorization-server",
                """{"issuer":"https://attacker.example.com","token_endpoint":"https://as.example.com/token"}""");
        var e = await Assert.ThrowsAsync<McpAuthException>(() => Create(http).DiscoverAsync(new Uri(OAuthWorld.Server), null, default));
        Assert.Equal(McpAuthErrorCode.IssuerMismatch, e.Code);
    }

    [Fact]
    public async Task A_2025_03_26_server_falls_back_to_the_default_endpoints_at_its_origin()
    {
        var http = new FakeHttp()
            .On("GET", OAuthWorld.Prm, _ => FakeHttp.Status(404))
            .On("GET", OAuthWorld.PrmRoot, _ => FakeHttp.Status(404))
            .On("GET", "https://mcp.example.com/.well-known/oauth-authorization-server", _ => FakeHttp.Status(404))
            .On("GET", "https://mcp.example.com/.well-known/openid-configuration", _ => FakeHttp.Status(404));
        var result = await Create(http).DiscoverAsync(new Uri(OAuthWorld.Server), null, default);
        Assert.True(result.AuthorizationServer.IsFallback);
        Assert.Equal("https://mcp.example.com/token", result.AuthorizationServer.TokenEndpoint.ToString());
        Assert.Equal("https://mcp.example.com/mcp", result.Resource);
        Assert.Null(result.ResourceMetadata);
    }

    [Fact]
    public async Task A_configured_metadata_url_replaces_discovery_of_the_authorization_server()
    {
        var http = new FakeHttp()
            .OnJson("GET", OAuthWorld.Prm, """{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://as.example.com"]}""")
            .OnJson("GET", "https://config.example.com/meta.json",
                """{"issuer":"https://as.example.com","token_endpoint":"https://as.example.com/token"}""");
        var options = new McpAuthOptions { Authorization = { ServerMetadataUrl = new Uri("https://config.example.com/meta.json") } };
        var result = await Create(http, options).DiscoverAsync(new Uri(OAuthWorld.Server), null, default);
        Assert.Equal("https://as.example.com", result.Issuer);
        Assert.Equal([$"GET {OAuthWorld.Prm}", "GET https://config.example.com/meta.json"], http.Keys);
    }

    [Fact]
    public void A_plain_http_configured_metadata_url_is_refused()
    {
        var options = new McpAuthOptions { Authorization = { ServerMetadataUrl = new Uri("http://config.example.com/meta.json") } };
        Assert.Equal(McpAuthErrorCode.InsecureEndpoint, Assert.Throws<McpAuthException>(options.Validate).Code);
    }
}
