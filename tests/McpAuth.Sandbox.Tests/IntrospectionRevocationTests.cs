using System.Net;

namespace McpAuth.Sandbox.Tests;

public sealed class IntrospectionRevocationTests : SandboxTestBase
{
    private static readonly SandboxClient ResourceServer =
        new("resource-server", "rs-secret", SandboxAuthMethods.ClientSecretBasic, [], [SandboxGrantTypes.ClientCredentials]);

    private static readonly RegisteredClient ResourceServerCredentials = new(ResourceServer.ClientId, ResourceServer.ClientSecret, ResourceServer.TokenEndpointAuthMethod);

    private async Task<TokenAnswer> IntrospectAsync(string token, RegisteredClient? caller = null)
    {
        if (Sandbox.AuthorizationServer.Clients.All(c => c.ClientId != ResourceServer.ClientId))
        {
            Sandbox.AuthorizationServer.AddClient(ResourceServer);
        }
        return await OAuth.PostFormAsync(Sandbox.AuthorizationServer.IntrospectionEndpoint, caller ?? ResourceServerCredentials, [new("token", token)]);
    }

    private Task<TokenAnswer> RevokeAsync(RegisteredClient client, string token) =>
        OAuth.PostFormAsync(Sandbox.AuthorizationServer.RevocationEndpoint, client, [new("token", token)]);

    /// <summary>A second MCP server that validates tokens by RFC 7662 introspection at the sandbox AS.</summary>
    private Task<SandboxMcpServer> StartIntrospectingMcpServerAsync(HttpClient http)
    {
        Sandbox.AuthorizationServer.AddClient(ResourceServer);
        var validator = new IntrospectionTokenValidator(http, Sandbox.AuthorizationServer.IntrospectionEndpoint, ResourceServer.ClientId, ResourceServer.ClientSecret!);
        return SandboxMcpServer.StartAsync(new SandboxMcpServerOptions { AuthorizationServers = [Sandbox.AuthorizationServer.IssuerIdentifier] }, validator);
    }

    [Fact]
    public async Task Introspection_describes_an_active_access_token_per_RFC_7662()
    {
        var (client, login) = await OAuth.LoginAsync();

        var answer = await IntrospectAsync(login.AccessToken);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(answer.Json.GetProperty("active").GetBoolean());
        Assert.Equal(client.ClientId, answer.Get("client_id"));
        Assert.Equal("sandbox-user", answer.Get("sub"));
        Assert.Equal("mcp:read", answer.Get("scope"));
        Assert.Equal(OAuth.Resource, answer.Get("aud"));
        Assert.Equal("Bearer", answer.Get("token_type"));
        Assert.Equal(Sandbox.AuthorizationServer.IssuerIdentifier, answer.Get("iss"));
        Assert.True(answer.Json.GetProperty("exp").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Introspection_of_an_unknown_token_is_only_active_false()
    {
        var answer = await IntrospectAsync("not-a-token");

        Assert.False(answer.Json.GetProperty("active").GetBoolean());
        Assert.Single(answer.Json.EnumerateObject());
    }

    [Fact]
    public async Task Introspection_needs_a_confidential_client()
    {
        var (client, login) = await OAuth.LoginAsync();

        var answer = await IntrospectAsync(login.AccessToken, client);

        Assert.Equal("invalid_client", answer.Error);
    }

    [Fact]
    public async Task Revoking_a_refresh_token_revokes_its_family()
    {
        var (client, login) = await OAuth.LoginAsync();

        var answer = await RevokeAsync(client, login.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.False((await IntrospectAsync(login.AccessToken)).Json.GetProperty("active").GetBoolean());
        Assert.Equal("invalid_grant", (await OAuth.RefreshAsync(client, login.RefreshToken)).Error);
        Assert.Equal(1, Sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Revocation));
    }

    [Fact]
    public async Task Revoking_an_access_token_leaves_the_refresh_token_usable()
    {
        var (client, login) = await OAuth.LoginAsync();

        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(client, login.AccessToken)).Status);

        Assert.Equal(HttpStatusCode.Unauthorized, (await McpPostAsync(login.AccessToken, Call("whoami"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await OAuth.RefreshAsync(client, login.RefreshToken)).Status);
    }

    [Fact]
    public async Task Revoking_an_unknown_token_succeeds_and_another_clients_token_is_refused()
    {
        var (client, login) = await OAuth.LoginAsync();
        var (other, _) = await OAuth.LoginAsync();

        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(client, "unknown")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await RevokeAsync(other, login.RefreshToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await McpPostAsync(login.AccessToken, Call("whoami"))).Status);
    }

    [Fact]
    public async Task An_MCP_server_behind_introspection_accepts_active_tokens_and_counts_one_introspection_per_call()
    {
        using var http = new HttpClient();
        await using var mcp = await StartIntrospectingMcpServerAsync(http);
        Sandbox.AuthorizationServer.AddResource(mcp.McpServerUrl.AbsoluteUri);
        OAuth.Resource = mcp.McpServerUrl.AbsoluteUri;
        var (client, login) = await OAuth.LoginAsync();
        Sandbox.AuthorizationServer.Stats.Reset();

        var ok = await McpPostAsync(login.AccessToken, Call("whoami"), mcp.McpServerUrl);
        await RevokeAsync(client, login.AccessToken);
        var revoked = await McpPostAsync(login.AccessToken, Call("whoami"), mcp.McpServerUrl);

        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Contains(client.ClientId, ok.ToolText);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.Status);
        Assert.Equal(2, Sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Introspection));
    }

    [Fact]
    public async Task An_MCP_server_behind_introspection_refuses_a_token_for_another_audience()
    {
        using var http = new HttpClient();
        await using var mcp = await StartIntrospectingMcpServerAsync(http);
        var (_, login) = await OAuth.LoginAsync();

        var answer = await McpPostAsync(login.AccessToken, Call("whoami"), mcp.McpServerUrl);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("token is for another resource", McpAuth.Protocol.WwwAuthenticate.Parse(answer.WwwAuthenticate)[0].ErrorDescription);
    }

    [Fact]
    public async Task When_introspection_fails_the_MCP_server_answers_503_not_401()
    {
        using var http = new HttpClient();
        var validator = new IntrospectionTokenValidator(http, Sandbox.AuthorizationServer.IntrospectionEndpoint, "nobody", "wrong");
        await using var mcp = await SandboxMcpServer.StartAsync(new SandboxMcpServerOptions(), validator);
        var (_, login) = await OAuth.LoginAsync();

        var answer = await McpPostAsync(login.AccessToken, Call("whoami"), mcp.McpServerUrl);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.Empty(answer.WwwAuthenticate);
        Assert.Equal(1, Sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Introspection));
    }

    [Theory]
    [InlineData("""{"active":false}""", false, 0)]
    [InlineData("""{"active":true,"scope":"a b","aud":["x","y"],"sub":"s","client_id":"c","exp":1}""", true, 2)]
    [InlineData("""{"active":"true"}""", false, 0)]
    public void Introspection_responses_are_parsed_strictly(string body, bool active, int audiences)
    {
        var info = IntrospectionTokenValidator.Parse(System.Text.Encoding.UTF8.GetBytes(body));

        Assert.Equal(active, info is not null);
        Assert.Equal(audiences, info?.Audiences.Count ?? 0);
    }
}
