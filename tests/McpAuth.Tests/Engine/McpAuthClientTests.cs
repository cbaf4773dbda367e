using McpAuth.Engine;

namespace McpAuth.Tests.Orchestration;

public class McpAuthClientTests
{
    private static readonly Uri Server = new(OAuthWorld.Server);

    [Fact]
    public async Task Authorize_registers_then_redeems_the_code_with_pkce_resource_and_state()
    {
        var world = new OAuthWorld();
        var token = await world.Client().AuthorizeAsync(Server, world.Interaction, default);
        Assert.Equal("at-1", token.Value);
        var authorize = world.Http.Requests.Single(r => r.Key == "GET https://as.example.com/authorize").Query();
        var redeem = world.Http.Requests.Single(r => r.Key == "POST https://as.example.com/token").Form();
        Assert.Equal("S256", authorize["code_challenge_method"]);
        Assert.Equal(OAuthWorld.Server, authorize["resource"]);
        Assert.Equal(OAuthWorld.Server, redeem["resource"]);
        Assert.Equal("mcp:basic", authorize["scope"]);
        Assert.Equal(McpAuth.Protocol.Pkce.ComputeS256Challenge(redeem["code_verifier"]), authorize["code_challenge"]);
        Assert.Equal("client-1-as.example.com", redeem["client_id"]);
        Assert.Equal(token.Value, (await world.Client().GetAccessTokenAsync(Server, default)).Value);
    }

    [Fact]
    public async Task A_stored_registration_is_reused_by_the_next_launch()
    {
        var world = new OAuthWorld();
        await world.Client().AuthorizeAsync(Server, world.Interaction, default);
        await world.Client().AuthorizeAsync(Server, world.Interaction, default);
        Assert.Equal(1, world.Registrations);
        Assert.Equal(2, world.TokensIssued);
    }

    [Fact]
    public async Task A_changed_redirect_uri_registers_again()
    {
        var world = new OAuthWorld();
        await world.Client().AuthorizeAsync(Server, world.Interaction, default);
        await world.Client(new McpAuthOptions { Client = { RedirectUri = new Uri("http://127.0.0.1:40000/other") } }).AuthorizeAsync(Server, world.Interaction, default);
        Assert.Equal(2, world.Registrations);
    }

    [Fact]
    public async Task When_the_resource_moves_to_another_authorization_server_the_client_registers_there_and_never_reuses_the_old_id()
    {
        var world = new OAuthWorld();
        var client = world.Client();
        var first = await client.AuthorizeAsync(Server, world.Interaction, default);
        world.AddAuthorizationServer("https://as2.example.com");
        world.Http.OnJson("GET", OAuthWorld.Prm, """{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://as2.example.com"]}""");
        await client.SessionFor(Server).ReauthorizeAsync(null, first, world.Interaction, default);
        Assert.Equal(2, world.Registrations);
        var atSecond = world.Http.Requests.Where(r => r.Uri.Host == "as2.example.com").ToList();
        Assert.Contains(atSecond, r => r.Key == "POST https://as2.example.com/register");
        Assert.DoesNotContain(atSecond, r => (r.Body ?? "").Contains("client-1-as.example.com", StringComparison.Ordinal)
            || r.Uri.Query.Contains("client-1-as.example.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_client_at_the_token_endpoint_forgets_the_registration_so_the_next_authorization_registers_again()
    {
        var world = new OAuthWorld();
        var rejected = true;
        world.Http.On("POST", "https://as.example.com/token", _ => rejected
            ? FakeHttp.Json("""{"error":"invalid_client"}""", 401)
            : FakeHttp.Json("""{"access_token":"at","token_type":"Bearer"}"""));
        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(Server, world.Interaction, default));
        Assert.Equal(McpAuthErrorCode.InvalidClient, e.Code);
        rejected = false;
        await world.Client().AuthorizeAsync(Server, world.Interaction, default);
        Assert.Equal(2, world.Registrations);
    }

    [Fact]
    public async Task A_callback_with_an_unknown_state_is_refused_without_a_token_request()
    {
        var world = new OAuthWorld();
        var client = world.Client();
        await client.BeginAuthorizationAsync(Server, default);
        var e = await Assert.ThrowsAsync<McpAuthException>(() =>
            client.CompleteAuthorizationAsync(new Uri("http://127.0.0.1:33418/callback?code=c&state=forged&iss=https%3A%2F%2Fas.example.com"), default));
        Assert.Equal(McpAuthErrorCode.StateMismatch, e.Code);
        Assert.DoesNotContain("POST https://as.example.com/token", world.Http.Keys);
    }

    [Fact]
    public async Task A_callback_naming_another_issuer_is_refused_and_the_flow_is_spent()
    {
        var world = new OAuthWorld();
        var client = world.Client();
        var start = await client.BeginAuthorizationAsync(Server, default);
        var callback = new Uri($"{start.RedirectUri}?code=c&state={start.State}&iss=https%3A%2F%2Fevil.example.com");
        var e = await Assert.ThrowsAsync<McpAuthException>(() => client.CompleteAuthorizationAsync(callback, default));
        Assert.Equal(McpAuthErrorCode.AuthorizationResponseIssuerMismatch, e.Code);
        Assert.Equal(McpAuthErrorCode.StateMismatch,
            (await Assert.ThrowsAsync<McpAuthException>(() => client.CompleteAuthorizationAsync(callback, default))).Code);
        Assert.DoesNotContain("POST https://as.example.com/token", world.Http.Keys);
    }

    [Fact]
    public async Task Pending_flows_are_bounded_in_number_and_age()
    {
        var world = new OAuthWorld();
        var time = new ManualTimeProvider();
        var client = new McpAuthClient(new McpAuthOptions { Authorization = { MaxPendingFlows = 2 } }, world.Vault, new HttpClient(world.Http), time);
        var old = await client.BeginAuthorizationAsync(Server, default);
        await client.BeginAuthorizationAsync(Server, default);
        Assert.Equal(McpAuthErrorCode.TooManyPendingFlows,
            (await Assert.ThrowsAsync<McpAuthException>(() => client.BeginAuthorizationAsync(Server, default))).Code);
        time.Advance(TimeSpan.FromMinutes(11));
        var callback = new Uri($"{old.RedirectUri}?code=c&state={old.State}&iss=https%3A%2F%2Fas.example.com");
        Assert.Equal(McpAuthErrorCode.FlowExpired, (await Assert.ThrowsAsync<McpAuthException>(() => client.CompleteAuthorizationAsync(callback, default))).Code);
        await client.BeginAuthorizationAsync(Server, default);
    }

    [Fact]
    public async Task Without_s256_support_no_authorization_request_is_made()
    {
        var world = new OAuthWorld(asMetadataExtra: ""","code_challenge_methods_supported":["plain"]""");
        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(Server, world.Interaction, default));
        Assert.Equal(McpAuthErrorCode.PkceNotSupported, e.Code);
        Assert.DoesNotContain(world.Http.Keys, k => k.Contains("/authorize", StringComparison.Ordinal) || k.Contains("/register", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_stored_token_GetAccessToken_asks_for_a_login_and_sends_nothing()
    {
        var world = new OAuthWorld();
        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().GetAccessTokenAsync(Server, default));
        Assert.Equal(McpAuthErrorCode.LoginRequired, e.Code);
        Assert.Empty(world.Http.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_expiring_token_is_refreshed_and_a_refused_refresh_asks_for_a_login(bool refreshAccepted)
    {
        var world = new OAuthWorld();
        world.Http.On("POST", "https://as.example.com/token", r => r.Form()["grant_type"] == "authorization_code"
            ? FakeHttp.Json("""{"access_token":"at-1","token_type":"Bearer","expires_in":120,"refresh_token":"rt-1"}""")
            : refreshAccepted
                ? FakeHttp.Json("""{"access_token":"at-2","token_type":"Bearer","expires_in":3600}""")
                : FakeHttp.Json("""{"error":"invalid_grant"}""", 400));
        var time = new ManualTimeProvider();
        var client = new McpAuthClient(new McpAuthOptions(), world.Vault, new HttpClient(world.Http), time);
        await client.AuthorizeAsync(Server, world.Interaction, default);
        Assert.Equal("at-1", (await client.GetAccessTokenAsync(Server, default)).Value);
        time.Advance(TimeSpan.FromSeconds(90));
        if (refreshAccepted)
        {
            Assert.Equal("at-2", (await client.GetAccessTokenAsync(Server, default)).Value);
        }
        else
        {
            Assert.Equal(McpAuthErrorCode.LoginRequired,
                (await Assert.ThrowsAsync<McpAuthException>(() => client.GetAccessTokenAsync(Server, default))).Code);
        }
        Assert.Equal("rt-1", world.Http.Requests.Last().Form()["refresh_token"]);
    }
}
