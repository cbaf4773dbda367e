using System.Net;
using System.Text;
using McpAuth.Engine;

namespace McpAuth.Tests.Orchestration;

/// <summary><see cref="McpAuthOptions.Scope"/>: requested scopes replace the MCP scope selection; step-up still unions.</summary>
public class RequestedScopeTests
{
    private static readonly Uri Server = new(OAuthWorld.Server);

    private static HttpResponseMessage Challenge(int status, string header)
    {
        var response = FakeHttp.Status(status);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", header);
        return response;
    }

    [Theory]
    [InlineData(null, "mcp:basic")]
    [InlineData("mcp:read", "mcp:read")]
    [InlineData("mcp:read  mcp:read mcp:write", "mcp:read mcp:write")]
    public async Task Requested_scopes_replace_the_resource_metadata_scopes(string? requested, string expected)
    {
        var world = new OAuthWorld();

        await world.Client(new McpAuthOptions { Authorization = { Scope = requested } }).AuthorizeAsync(Server, world.Interaction, default);

        Assert.Equal([expected], world.AuthorizedScopes);
    }

    [Fact]
    public async Task Requested_scopes_still_get_offline_access_when_the_server_lists_it()
    {
        var world = new OAuthWorld(asMetadataExtra: ""","scopes_supported":["mcp:read","offline_access"]""");

        await world.Client(new McpAuthOptions { Authorization = { Scope = "mcp:read" } }).AuthorizeAsync(Server, world.Interaction, default);

        Assert.Equal(["mcp:read offline_access"], world.AuthorizedScopes);
    }

    [Fact]
    public async Task Requested_scopes_replace_a_challenge_scope_and_step_up_asks_for_the_union()
    {
        var world = new OAuthWorld();
        world.Http.On("POST", OAuthWorld.Server, r => !r.Headers.ContainsKey("Authorization")
            ? Challenge(401, $"Bearer resource_metadata=\"{OAuthWorld.Prm}\", scope=\"mcp:basic\"")
            : r.Headers["Authorization"] == "Bearer at-2"
                ? FakeHttp.Json("""{"jsonrpc":"2.0","id":1,"result":{}}""")
                : Challenge(403, $"Bearer error=\"insufficient_scope\", scope=\"mcp:admin\", resource_metadata=\"{OAuthWorld.Prm}\""));
        var client = world.Client(new McpAuthOptions { Authorization = { Scope = "mcp:read" } });
        using var http = new HttpClient(new McpAuthHandler(client, Server, world.Interaction) { InnerHandler = world.Http });

        using var first = await http.PostAsync(Server, new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/call"}""", Encoding.UTF8, "application/json"));
        using var second = await http.PostAsync(Server, new StringContent("""{"jsonrpc":"2.0","id":2,"method":"tools/call"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(["mcp:read", "mcp:read mcp:admin"], world.AuthorizedScopes);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }
}
