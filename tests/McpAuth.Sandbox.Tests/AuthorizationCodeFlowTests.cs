using System.Net;
using System.Text.Json;

namespace McpAuth.Sandbox.Tests;

public sealed class AuthorizationCodeFlowTests : SandboxTestBase
{
    [Fact]
    public async Task Metadata_describes_the_server_per_RFC_8414()
    {
        var url = new Uri(Sandbox.AuthorizationServer.Issuer, "/.well-known/oauth-authorization-server");
        using var json = JsonDocument.Parse(await OAuth.Http.GetStringAsync(url));
        var root = json.RootElement;
        Assert.Equal(Sandbox.AuthorizationServer.IssuerIdentifier, root.GetProperty("issuer").GetString());
        Assert.DoesNotContain("/", Sandbox.AuthorizationServer.IssuerIdentifier["http://".Length..]);
        Assert.Equal(["S256"], Strings(root, "code_challenge_methods_supported"));
        Assert.True(root.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Contains("offline_access", Strings(root, "scopes_supported"));
        Assert.Equal(["none", "client_secret_basic", "client_secret_post"], Strings(root, "token_endpoint_auth_methods_supported"));
        Assert.Equal(["authorization_code", "refresh_token", "client_credentials"], Strings(root, "grant_types_supported"));
        foreach (var endpoint in new[] { "registration_endpoint", "revocation_endpoint", "introspection_endpoint", "token_endpoint", "authorization_endpoint" })
        {
            Assert.StartsWith(Sandbox.AuthorizationServer.IssuerIdentifier + "/", root.GetProperty(endpoint).GetString());
        }
        Assert.Equal(1, Sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Metadata));
    }

    [Fact]
    public async Task Code_flow_with_PKCE_gives_a_token_the_MCP_server_accepts()
    {
        var (client, tokens) = await OAuth.LoginAsync();

        Assert.Equal("Bearer", tokens.Get("token_type"));
        Assert.Equal("mcp:read", tokens.Get("scope"));
        Assert.True(tokens.Json.GetProperty("expires_in").GetInt64() > 0);
        Assert.True(tokens.NoStore);
        var answer = await McpPostAsync(tokens.AccessToken, Call("whoami"));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        using var who = JsonDocument.Parse(answer.ToolText);
        Assert.Equal("sandbox-user", who.RootElement.GetProperty("sub").GetString());
        Assert.Equal(client.ClientId, who.RootElement.GetProperty("client_id").GetString());
        var stats = Sandbox.AuthorizationServer.Stats;
        Assert.Equal((1, 1, 1, 1), (stats.Get(SandboxCounters.Registration), stats.Get(SandboxCounters.Authorize),
            stats.Get(SandboxCounters.Token), stats.TokenRequests("authorization_code")));
    }

    [Fact]
    public async Task A_code_is_single_use_and_its_replay_revokes_the_tokens_it_gave()
    {
        var client = await OAuth.RegisterAsync();
        var pkce = Pkce.Create();
        var code = await OAuth.GetCodeAsync(client, pkce);
        var first = await OAuth.ExchangeCodeAsync(client, code, pkce);

        var replay = await OAuth.ExchangeCodeAsync(client, code, pkce);

        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("invalid_grant", replay.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, (await McpPostAsync(first.AccessToken, Call("whoami"))).Status);
        Assert.Equal("invalid_grant", (await OAuth.RefreshAsync(client, first.RefreshToken)).Error);
    }

    [Fact]
    public async Task A_wrong_verifier_is_invalid_grant()
    {
        var client = await OAuth.RegisterAsync();
        var pkce = Pkce.Create();
        var code = await OAuth.GetCodeAsync(client, pkce);

        var answer = await OAuth.ExchangeCodeAsync(client, code, pkce with { Verifier = Pkce.Create().Verifier });

        Assert.Equal("invalid_grant", answer.Error);
    }

    [Fact]
    public async Task Plain_PKCE_is_refused_with_a_redirect_carrying_state_and_iss()
    {
        var client = await OAuth.RegisterAsync();
        var parameters = OAuthTestClient.AuthorizeParameters(client, Pkce.Create(), "mcp:read", OAuth.Resource)
            .Select(p => p.Key == "code_challenge_method" ? new KeyValuePair<string, string>(p.Key, "plain") : p);

        using var response = await OAuth.AuthorizeRawAsync(parameters);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var query = OAuthTestClient.ParseQuery(response.Headers.Location!);
        Assert.Equal("invalid_request", query["error"]);
        Assert.Equal("st-123", query["state"]);
        Assert.Equal(Sandbox.AuthorizationServer.IssuerIdentifier, query["iss"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/callback/")]
    [InlineData("http://127.0.0.1:10/callback")]
    [InlineData("http://localhost:9/callback")]
    public async Task A_redirect_uri_not_registered_exactly_is_answered_without_redirecting(string redirectUri)
    {
        var client = await OAuth.RegisterAsync();
        var parameters = OAuthTestClient.AuthorizeParameters(client, Pkce.Create(), "mcp:read", OAuth.Resource)
            .Select(p => p.Key == "redirect_uri" ? new KeyValuePair<string, string>(p.Key, redirectUri) : p);

        await AssertAnsweredWithoutRedirectAsync(parameters);
    }

    [Fact]
    public async Task A_repeated_client_id_is_answered_without_redirecting_even_after_another_repeat()
    {
        var client = await OAuth.RegisterAsync();
        var parameters = OAuthTestClient.AuthorizeParameters(client, Pkce.Create(), "mcp:read", OAuth.Resource);
        parameters.Insert(0, new("state", "first"));
        parameters.Add(new("client_id", client.ClientId));

        await AssertAnsweredWithoutRedirectAsync(parameters);
    }

    /// <summary>RFC 6749 §4.1.2.1: errors about the client or redirect URI must not redirect.</summary>
    private async Task AssertAnsweredWithoutRedirectAsync(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        using var response = await OAuth.AuthorizeRawAsync(parameters);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task An_unknown_resource_is_invalid_target()
    {
        var client = await OAuth.RegisterAsync();

        using var response = await OAuth.AuthorizeRawAsync(
            OAuthTestClient.AuthorizeParameters(client, Pkce.Create(), "mcp:read", "http://127.0.0.1:1/other"));

        Assert.Equal("invalid_target", OAuthTestClient.ParseQuery(response.Headers.Location!)["error"]);
    }

    [Fact]
    public async Task The_token_request_cannot_change_the_authorized_resource()
    {
        var client = await OAuth.RegisterAsync();
        var pkce = Pkce.Create();
        var code = await OAuth.GetCodeAsync(client, pkce);

        var answer = await OAuth.PostTokenAsync(client,
        [
            new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", OAuthTestClient.RedirectUri),
            new("code_verifier", pkce.Verifier), new("resource", "http://127.0.0.1:1/other"),
        ]);

        Assert.Equal("invalid_target", answer.Error);
    }

    [Fact]
    public async Task A_token_without_audience_is_refused_by_the_MCP_server()
    {
        var client = await OAuth.RegisterAsync();
        var pkce = Pkce.Create();
        var code = await OAuth.GetCodeAsync(client, pkce, withResource: false);
        var tokens = await OAuth.ExchangeCodeAsync(client, code, pkce, withResource: false);

        var answer = await McpPostAsync(tokens.AccessToken, Call("whoami"));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("invalid_token", McpAuth.Protocol.WwwAuthenticate.Parse(answer.WwwAuthenticate)[0].Error);
    }

    [Fact]
    public async Task Registration_refuses_bad_metadata_per_RFC_7591()
    {
        async Task<string?> Register(string body)
        {
            using var response = await OAuth.Http.PostAsync(Sandbox.AuthorizationServer.RegistrationEndpoint,
                new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        }

        Assert.Equal("invalid_redirect_uri", await Register("""{"redirect_uris":["/relative"],"token_endpoint_auth_method":"none"}"""));
        Assert.Equal("invalid_redirect_uri", await Register("""{"token_endpoint_auth_method":"none"}"""));
        Assert.Equal("invalid_client_metadata", await Register("""{"redirect_uris":["http://127.0.0.1:9/cb"],"token_endpoint_auth_method":"private_key_jwt"}"""));
        Assert.Equal("invalid_client_metadata", await Register("""{"redirect_uris":"http://127.0.0.1:9/cb"}"""));
        Assert.Empty(Sandbox.AuthorizationServer.Clients);
    }

    private static string[] Strings(JsonElement root, string name) =>
        root.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
}
