using System.Net;
using System.Text;
using System.Text.Json;
using McpAuth.Protocol;

namespace McpAuth.Sandbox.Tests;

public sealed class McpServerTests : SandboxTestBase
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"VERSION","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    private string MetadataUrl => new Uri(Sandbox.McpServerUrl, "/.well-known/oauth-protected-resource/mcp").AbsoluteUri;

    [Fact]
    public async Task Without_a_token_the_answer_is_401_with_resource_metadata_and_scope_but_no_error()
    {
        var answer = await McpPostAsync(null, Initialize.Replace("VERSION", "2025-11-25", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        var challenge = WwwAuthenticate.Parse(answer.WwwAuthenticate).Single();
        Assert.True(challenge.IsScheme("Bearer"));
        Assert.Equal(MetadataUrl, challenge.ResourceMetadata!.AbsoluteUri);
        Assert.Equal("mcp:read", challenge.Scope);
        Assert.Null(challenge.Error);
        Assert.Equal(1, Sandbox.McpServer.Stats.Get(SandboxCounters.McpUnauthorized));
    }

    [Fact]
    public async Task An_unknown_token_is_401_invalid_token()
    {
        var answer = await McpPostAsync("sat_forged", Call("whoami"));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        var challenge = WwwAuthenticate.Parse(answer.WwwAuthenticate).Single();
        Assert.Equal("invalid_token", challenge.Error);
        Assert.Equal(MetadataUrl, challenge.ResourceMetadata!.AbsoluteUri);
    }

    [Fact]
    public async Task The_admin_tool_without_the_admin_scope_is_403_insufficient_scope()
    {
        var (_, login) = await OAuth.LoginAsync("mcp:read");

        var answer = await McpPostAsync(login.AccessToken, Call("admin"));

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        var challenge = WwwAuthenticate.Parse(answer.WwwAuthenticate).Single();
        Assert.Equal("insufficient_scope", challenge.Error);
        Assert.Equal("mcp:read mcp:admin", challenge.Scope);
        Assert.Equal(MetadataUrl, challenge.ResourceMetadata!.AbsoluteUri);
    }

    [Fact]
    public async Task The_admin_tool_with_the_admin_scope_succeeds()
    {
        var (_, login) = await OAuth.LoginAsync("mcp:read mcp:admin");

        var answer = await McpPostAsync(login.AccessToken, Call("admin"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("admin ok", answer.ToolText);
    }

    [Fact]
    public async Task Protected_resource_metadata_names_the_resource_and_the_issuer()
    {
        using var json = JsonDocument.Parse(await OAuth.Http.GetStringAsync(MetadataUrl));

        Assert.Equal(Sandbox.McpServerUrl.AbsoluteUri, json.RootElement.GetProperty("resource").GetString());
        Assert.Equal(Sandbox.AuthorizationServer.IssuerIdentifier, json.RootElement.GetProperty("authorization_servers")[0].GetString());
        Assert.Equal(["mcp:read", "mcp:admin"], json.RootElement.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("2025-03-26", "2025-03-26")]
    [InlineData("2025-06-18", "2025-06-18")]
    [InlineData("2025-11-25", "2025-11-25")]
    [InlineData("2024-11-05", "2025-11-25")]
    [InlineData("2099-01-01", "2025-11-25")]
    public async Task Initialize_echoes_a_supported_version_and_otherwise_offers_the_latest(string requested, string expected)
    {
        var (_, login) = await OAuth.LoginAsync();

        var answer = await McpPostAsync(login.AccessToken, Initialize.Replace("VERSION", requested, StringComparison.Ordinal));

        Assert.Equal(expected, answer.Result.GetProperty("protocolVersion").GetString());
        Assert.Equal("mcpauth-sandbox", answer.Result.GetProperty("serverInfo").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Notifications_get_202_and_unknown_methods_a_JSON_RPC_error()
    {
        var (_, login) = await OAuth.LoginAsync();

        var notification = await McpPostAsync(login.AccessToken, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        var unknown = await McpPostAsync(login.AccessToken, """{"jsonrpc":"2.0","id":"x","method":"resources/list"}""");
        var list = await McpPostAsync(login.AccessToken, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        var nullId = await McpPostAsync(login.AccessToken, """{"jsonrpc":"2.0","id":null,"method":"ping"}""");

        Assert.Equal(HttpStatusCode.Accepted, notification.Status);
        Assert.Empty(notification.Body);
        using var error = JsonDocument.Parse(unknown.Body);
        Assert.Equal("x", error.RootElement.GetProperty("id").GetString());
        Assert.Equal(-32601, error.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, nullId.Status);
        Assert.Equal(["echo", "whoami", "admin"], list.Result.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Transport_rules_GET_is_405_a_foreign_origin_403_a_bad_version_header_400()
    {
        var (_, login) = await OAuth.LoginAsync();
        async Task<HttpStatusCode> Send(HttpMethod method, string? origin = null, string? version = null)
        {
            using var request = new HttpRequestMessage(method, Sandbox.McpServerUrl);
            request.Headers.Authorization = new("Bearer", login.AccessToken);
            if (method == HttpMethod.Post)
            {
                request.Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", Encoding.UTF8, "application/json");
            }
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }
            if (version is not null)
            {
                request.Headers.Add("MCP-Protocol-Version", version);
            }
            using var response = await OAuth.Http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.MethodNotAllowed, await Send(HttpMethod.Get));
        Assert.Equal(HttpStatusCode.Forbidden, await Send(HttpMethod.Post, origin: "http://evil.example"));
        Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Post, origin: "http://localhost:3000"));
        Assert.Equal(HttpStatusCode.BadRequest, await Send(HttpMethod.Post, version: "1999-01-01"));
        Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Post, version: "2025-06-18"));
    }
}
