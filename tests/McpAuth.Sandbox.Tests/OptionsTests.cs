using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace McpAuth.Sandbox.Tests;

public sealed class IssuerPathAndStatsTests : SandboxTestBase
{
    protected override SandboxOptions Options => new()
    {
        AuthorizationServer = new SandboxAuthorizationServerOptions { IssuerPath = "/tenant1", ExposeStatsEndpoint = true },
        McpServer = new SandboxMcpServerOptions { ExposeStatsEndpoint = true },
    };

    [Fact]
    public async Task An_issuer_with_a_path_serves_metadata_at_the_path_inserted_URL_only()
    {
        var server = Sandbox.AuthorizationServer;
        Assert.EndsWith("/tenant1", server.IssuerIdentifier);
        Assert.Equal("/.well-known/oauth-authorization-server/tenant1", server.MetadataUrl.AbsolutePath);

        using var json = JsonDocument.Parse(await OAuth.Http.GetStringAsync(server.MetadataUrl));
        using var appended = await OAuth.Http.GetAsync(server.IssuerIdentifier + "/.well-known/oauth-authorization-server");

        Assert.Equal(server.IssuerIdentifier, json.RootElement.GetProperty("issuer").GetString());
        Assert.Equal(HttpStatusCode.NotFound, appended.StatusCode);
        var (_, login) = await OAuth.LoginAsync();
        Assert.Equal(HttpStatusCode.OK, (await McpPostAsync(login.AccessToken, Call("whoami"))).Status);
    }

    [Fact]
    public async Task The_stats_endpoints_serve_the_counters()
    {
        var (client, login) = await OAuth.LoginAsync();
        await OAuth.RefreshAsync(client, login.RefreshToken);
        await McpPostAsync(null, Call("whoami"));

        using var auth = JsonDocument.Parse(await OAuth.Http.GetStringAsync(Sandbox.AuthorizationServer.IssuerIdentifier + "/__stats"));
        using var mcp = JsonDocument.Parse(await OAuth.Http.GetStringAsync(new Uri(Sandbox.McpServerUrl, "/__stats")));

        Assert.Equal(2, auth.RootElement.GetProperty("token").GetInt64());
        Assert.Equal(1, auth.RootElement.GetProperty("token:refresh_token").GetInt64());
        Assert.Equal(1, mcp.RootElement.GetProperty("mcp_401").GetInt64());
    }
}

public sealed class StrictOptionsTests : SandboxTestBase
{
    protected override SandboxOptions Options => new()
    {
        AuthorizationServer = new SandboxAuthorizationServerOptions
        {
            RequireResource = true,
            RefreshTokensRequireOfflineAccess = true,
            TokenLatency = TimeSpan.FromMilliseconds(150),
        },
    };

    [Fact]
    public async Task Without_a_resource_the_authorization_request_is_invalid_target()
    {
        var client = await OAuth.RegisterAsync();

        using var response = await OAuth.AuthorizeRawAsync(OAuthTestClient.AuthorizeParameters(client, Pkce.Create(), "mcp:read", resource: null));

        Assert.Equal("invalid_target", OAuthTestClient.ParseQuery(response.Headers.Location!)["error"]);
    }

    [Fact]
    public async Task Refresh_tokens_come_only_with_offline_access()
    {
        var (_, withoutOffline) = await OAuth.LoginAsync("mcp:read");
        var (_, withOffline) = await OAuth.LoginAsync("mcp:read offline_access");

        Assert.Null(withoutOffline.Get("refresh_token"));
        Assert.NotNull(withOffline.Get("refresh_token"));
    }

    [Fact]
    public async Task Token_requests_are_delayed_by_the_configured_latency()
    {
        var client = await OAuth.RegisterAsync();
        var pkce = Pkce.Create();
        var code = await OAuth.GetCodeAsync(client, pkce);

        var watch = Stopwatch.StartNew();
        var tokens = await OAuth.ExchangeCodeAsync(client, code, pkce);

        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(140), $"{watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Unknown_scopes_and_response_types_are_refused_by_redirect()
    {
        var client = await OAuth.RegisterAsync();
        var parameters = OAuthTestClient.AuthorizeParameters(client, Pkce.Create(), "mcp:read mcp:write", OAuth.Resource);
        var token = parameters.Select(p => p.Key == "response_type" ? new KeyValuePair<string, string>(p.Key, "token") : p)
            .Select(p => p.Key == "scope" ? new KeyValuePair<string, string>(p.Key, "mcp:read") : p);

        using var badScope = await OAuth.AuthorizeRawAsync(parameters);
        using var badType = await OAuth.AuthorizeRawAsync(token);

        Assert.Equal("invalid_scope", OAuthTestClient.ParseQuery(badScope.Headers.Location!)["error"]);
        Assert.Equal("unsupported_response_type", OAuthTestClient.ParseQuery(badType.Headers.Location!)["error"]);
    }
}
