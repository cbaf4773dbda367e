using System.Net;
using McpAuth.Engine;
using McpAuth.Protocol;
using McpAuth.Tests.Orchestration;

namespace McpAuth.Tests.Delegation;

/// <summary>
/// Per-server delegation (RFC 8693): the stored subject token is exchanged before MCP requests; the subject token is sent
/// only when the server does not support the grant or token type.
/// </summary>
public class DelegationTests
{
    private static readonly Uri Server = new(OAuthWorld.Server);
    private readonly OAuthWorld _world = new();
    private Func<RecordedRequest, HttpResponseMessage> _exchange = _ => FakeHttp.Json(
        $$"""{"access_token":"delegated-1","issued_token_type":"{{TokenExchange.AccessTokenType}}","token_type":"Bearer","expires_in":600}""");

    public DelegationTests()
    {
        var issued = 0;
        _world.Http.On("POST", $"{OAuthWorld.Issuer}/token", r => r.Form()["grant_type"] == TokenExchange.GrantType
            ? _exchange(r)
            : FakeHttp.Json($$"""{"access_token":"at-{{++issued}}","token_type":"Bearer","expires_in":3600}"""));
        _world.Http.On("POST", OAuthWorld.Server, _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
    }

    private static DelegationOptions Options => new()
    {
        ActorToken = _ => ValueTask.FromResult("actor-jwt"),
        Audience = "payments-api",
        Scope = "payments:read",
    };

    private async Task<HttpClient> ConnectedAsync(DelegationOptions? delegation)
    {
        var options = new McpAuthOptions();
        if (delegation is not null)
        {
            options.Delegation[OAuthWorld.Server] = delegation;
        }
        var client = _world.Client(options);
        await client.AuthorizeAsync(Server, _world.Interaction, default);
        return new HttpClient(new McpAuthHandler(client, Server) { InnerHandler = _world.Http });
    }

    private IEnumerable<RecordedRequest> McpRequests => _world.Http.Requests.Where(r => r.Key == $"POST {OAuthWorld.Server}");

    private IEnumerable<RecordedRequest> Exchanges =>
        _world.Http.Requests.Where(r => r.Key == $"POST {OAuthWorld.Issuer}/token" && r.Form()["grant_type"] == TokenExchange.GrantType);

    [Fact]
    public async Task An_opted_in_server_gets_a_delegated_token_exchanged_for_the_stored_one()
    {
        using var http = await ConnectedAsync(Options);

        (await http.PostAsync(Server, new StringContent("{}"))).EnsureSuccessStatusCode();

        var form = Assert.Single(Exchanges).Form();
        Assert.Equal("at-1", form["subject_token"]);
        Assert.Equal(TokenExchange.AccessTokenType, form["subject_token_type"]);
        Assert.Equal("actor-jwt", form["actor_token"]);
        Assert.Equal(TokenExchange.JwtTokenType, form["actor_token_type"]);
        Assert.Equal(TokenExchange.AccessTokenType, form["requested_token_type"]);
        Assert.Equal(OAuthWorld.Server, form["resource"]);
        Assert.Equal("payments-api", form["audience"]);
        Assert.Equal("payments:read", form["scope"]);
        Assert.Equal("client-1-as.example.com", form["client_id"]);
        Assert.Equal("Bearer delegated-1", Assert.Single(McpRequests).Headers["Authorization"]);
    }

    [Fact]
    public async Task The_delegated_token_is_reused_until_it_expires()
    {
        using var http = await ConnectedAsync(Options);

        await http.PostAsync(Server, new StringContent("{}"));
        await http.PostAsync(Server, new StringContent("{}"));

        Assert.Single(Exchanges);
        Assert.All(McpRequests, r => Assert.Equal("Bearer delegated-1", r.Headers["Authorization"]));
    }

    [Theory]
    [InlineData("unsupported_grant_type")]
    [InlineData("unsupported_token_type")]
    public async Task An_unsupported_grant_or_token_type_falls_back_to_the_subject_token(string error)
    {
        _exchange = _ => FakeHttp.Json($$"""{"error":"{{error}}"}""", 400);
        using var http = await ConnectedAsync(Options);

        (await http.PostAsync(Server, new StringContent("{}"))).EnsureSuccessStatusCode();
        await http.PostAsync(Server, new StringContent("{}"));

        Assert.Single(Exchanges);
        Assert.All(McpRequests, r => Assert.Equal("Bearer at-1", r.Headers["Authorization"]));
    }

    [Theory]
    [InlineData("""{"error":"invalid_target"}""", 400, McpAuthErrorCode.OAuthError)]
    [InlineData("""{"error":"invalid_grant"}""", 400, McpAuthErrorCode.InvalidGrant)]
    [InlineData("""{"error":"temporarily_unavailable"}""", 503, McpAuthErrorCode.TemporarilyUnavailable)]
    [InlineData("""not json""", 200, McpAuthErrorCode.InvalidResponse)]
    public async Task Any_other_exchange_failure_is_thrown_and_the_subject_token_is_never_sent(string body, int status, McpAuthErrorCode code)
    {
        _exchange = _ => FakeHttp.Json(body, status);
        using var http = await ConnectedAsync(Options);

        var e = await Assert.ThrowsAsync<McpAuthException>(() => http.PostAsync(Server, new StringContent("{}")));

        Assert.Equal(code, e.Code);
        Assert.Empty(McpRequests);
    }

    [Fact]
    public async Task A_server_that_did_not_opt_in_gets_the_stored_token_without_an_exchange()
    {
        using var http = await ConnectedAsync(null);

        await http.PostAsync(Server, new StringContent("{}"));

        Assert.Empty(Exchanges);
        Assert.Equal("Bearer at-1", Assert.Single(McpRequests).Headers["Authorization"]);
    }

    [Fact]
    public async Task Without_an_actor_no_actor_token_is_sent()
    {
        using var http = await ConnectedAsync(new DelegationOptions());

        await http.PostAsync(Server, new StringContent("{}"));

        var form = Assert.Single(Exchanges).Form();
        Assert.False(form.ContainsKey("actor_token"));
        Assert.False(form.ContainsKey("actor_token_type"));
        Assert.False(form.ContainsKey("audience"));
    }
}
