using McpAuth.Engine;
using McpAuth.Storage;
using McpAuth.Tests.Orchestration;

namespace McpAuth.Tests.Providers;

/// <summary>
/// Each provider quirk through the engine, against an emulation of the provider's documented behaviour (sources in the
/// options and readers the test names); each test fails when the quirk handling is removed.
/// </summary>
public class ProviderEngineTests
{
    private static readonly Uri Server = ProviderWorld.Server;

    private const string S256 = ""","code_challenge_methods_supported":["S256"]""";

    [Fact]
    public async Task Entra_metadata_without_pkce_methods_is_refused_with_the_opt_in_named_and_nothing_registered()
    {
        var world = new ProviderWorld();
        world.Metadata(""); // https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration lists no methods

        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(Server, world.World.Interaction, default));

        Assert.Equal(McpAuthErrorCode.PkceNotSupported, e.Code);
        Assert.Contains("AssumePkceS256", e.Hint, StringComparison.Ordinal);
        Assert.Contains("--assume-pkce", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, world.World.Registrations);
    }

    [Fact]
    public async Task Entra_with_the_pkce_opt_in_and_no_resource_sends_s256_and_no_resource_on_authorize_token_or_refresh()
    {
        var world = new ProviderWorld();
        world.Metadata("");
        var options = new McpAuthOptions();
        options.Authorization.AssumePkceS256 = true;
        options.Authorization.OmitResource = true; // AADSTS901002 on authorize, AADSTS9010010 on token and refresh
        var client = await world.LoggedInAsync(options);
        world.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal("at-2", (await client.GetAccessTokenAsync(Server, default)).Value);

        var authorize = Assert.Single(world.AuthorizeQueries);
        Assert.Equal("S256", authorize["code_challenge_method"]);
        Assert.False(authorize.ContainsKey("resource"));
        Assert.Equal(["authorization_code", "refresh_token"], world.TokenRequests.Select(r => r.Form()["grant_type"]));
        Assert.All(world.TokenRequests, r => Assert.False(r.Form().ContainsKey("resource")));
        var (credentials, _) = await world.World.Vault.ListCredentialsAsync(default);
        Assert.Equal(OAuthWorld.Server, Assert.Single(credentials).Binding.Resource);
    }

    [Fact]
    public async Task The_pkce_opt_in_does_not_override_a_server_that_lists_methods_without_s256()
    {
        var world = new ProviderWorld();
        world.Metadata(""","code_challenge_methods_supported":["plain"]""");
        var options = new McpAuthOptions();
        options.Authorization.AssumePkceS256 = true;

        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client(options).AuthorizeAsync(Server, world.World.Interaction, default));

        Assert.Equal(McpAuthErrorCode.PkceNotSupported, e.Code);
    }

    [Fact]
    public async Task A_given_resource_is_sent_everywhere_while_the_credential_stays_bound_to_the_discovered_one()
    {
        var world = new ProviderWorld();
        world.Metadata(S256);
        var options = new McpAuthOptions();
        options.Authorization.Resource = new Uri("https://api.example.com/");
        var client = await world.LoggedInAsync(options);
        world.Time.Advance(TimeSpan.FromHours(1));
        await client.GetAccessTokenAsync(Server, default);

        Assert.Equal("https://api.example.com/", Assert.Single(world.AuthorizeQueries)["resource"]);
        Assert.All(world.TokenRequests, r => Assert.Equal("https://api.example.com/", r.Form()["resource"]));
        Assert.Equal(2, world.TokenRequests.Count);
        var (credentials, _) = await world.World.Vault.ListCredentialsAsync(default);
        Assert.Equal(OAuthWorld.Server, Assert.Single(credentials).Binding.Resource);
    }

    [Fact]
    public async Task Google_extra_parameters_and_Auth0_audience_reach_the_authorization_request_and_the_audience_the_code_exchange_only()
    {
        var world = new ProviderWorld();
        world.Metadata(S256);
        var options = new McpAuthOptions();
        options.Authorization.ExtraParameters["access_type"] = "offline";
        options.Authorization.ExtraParameters["prompt"] = "consent";
        options.Authorization.Audience = "https://api.example.com";
        var client = await world.LoggedInAsync(options);
        world.Time.Advance(TimeSpan.FromHours(1));
        await client.GetAccessTokenAsync(Server, default);

        var authorize = Assert.Single(world.AuthorizeQueries);
        Assert.Equal(("offline", "consent", "https://api.example.com"), (authorize["access_type"], authorize["prompt"], authorize["audience"]));
        Assert.Equal("https://api.example.com", world.TokenRequests[0].Form()["audience"]);
        Assert.False(world.TokenRequests[1].Form().ContainsKey("audience"));
    }

    [Fact]
    public async Task Google_issuer_with_a_trailing_slash_is_refused_naming_both_then_accepted_once_pinned()
    {
        var world = new ProviderWorld();
        world.World.Http.OnJson("GET", OAuthWorld.Prm, $$"""{"resource":"{{OAuthWorld.Server}}","authorization_servers":["{{ProviderWorld.Issuer}}/"]}""");
        world.Metadata(S256);

        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(Server, world.World.Interaction, default));
        var options = new McpAuthOptions();
        options.Authorization.TrustedIssuer = ProviderWorld.Issuer;
        await world.LoggedInAsync(options);

        Assert.Equal(McpAuthErrorCode.IssuerMismatch, e.Code);
        Assert.Contains($"'{ProviderWorld.Issuer}'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{ProviderWorld.Issuer}/'", e.Message, StringComparison.Ordinal);
        Assert.Single(world.TokenRequests);
    }

    [Fact]
    public async Task GitHub_dead_refresh_token_in_an_http_200_needs_a_login_and_is_never_sent_again()
    {
        var world = new ProviderWorld();
        world.Metadata(S256);
        world.Token = (form, n) => form["grant_type"] == "refresh_token"
            ? FakeHttp.Json("""{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired.","error_uri":"https://docs.github.com"}""")
            : FakeHttp.Json("""{"access_token":"ghu_1","token_type":"bearer","expires_in":28800,"refresh_token":"ghr_1","scope":""}""");
        var client = await world.LoggedInAsync();
        world.Time.Advance(TimeSpan.FromHours(8));

        var first = await Assert.ThrowsAsync<McpAuthException>(() => client.GetAccessTokenAsync(Server, default));
        var again = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().GetAccessTokenAsync(Server, default));

        Assert.Equal(McpAuthErrorCode.LoginRequired, first.Code);
        Assert.Equal(McpAuthErrorCode.LoginRequired, again.Code);
        Assert.Equal(1, world.TokenRequests.Count(r => r.Form()["grant_type"] == "refresh_token"));
        var (credentials, _) = await world.World.Vault.ListCredentialsAsync(default);
        Assert.Equal(CredentialState.NeedsReauthorization, Assert.Single(credentials).State);
    }

    [Fact]
    public async Task Slack_nested_user_token_logs_in_and_each_rotated_refresh_token_is_used_next()
    {
        var world = new ProviderWorld();
        world.Metadata(S256);
        world.Token = (form, n) => form["grant_type"] == "refresh_token"
            ? FakeHttp.Json($$"""{"ok":true,"access_token":"xoxe.xoxp-{{n}}","token_type":"user","refresh_token":"xoxe-1-r{{n}}","expires_in":43200}""")
            : FakeHttp.Json("""
                {"ok":true,"app_id":"A1","authed_user":{"id":"U1","scope":"search:read","access_token":"xoxe.xoxp-1",
                 "token_type":"user","refresh_token":"xoxe-1-r1","expires_in":43200},"team":{"id":"T1"}}
                """);
        var client = await world.LoggedInAsync();
        world.Time.Advance(TimeSpan.FromHours(12));
        var second = await client.GetAccessTokenAsync(Server, default);
        world.Time.Advance(TimeSpan.FromHours(12));
        var third = await client.GetAccessTokenAsync(Server, default);

        Assert.Equal(("xoxe.xoxp-2", "Bearer"), (second.Value, second.TokenType));
        Assert.Equal("xoxe.xoxp-3", third.Value);
        Assert.Equal(["xoxe-1-r1", "xoxe-1-r2"], world.TokenRequests.Skip(1).Select(r => r.Form()["refresh_token"]));
    }

    [Fact]
    public async Task Slack_refresh_error_in_an_http_200_needs_a_login()
    {
        var world = new ProviderWorld();
        world.Metadata(S256);
        world.Token = (form, n) => form["grant_type"] == "refresh_token"
            ? FakeHttp.Json("""{"ok":false,"error":"invalid_refresh_token"}""")
            : FakeHttp.Json("""{"ok":true,"authed_user":{"access_token":"xoxp-1","token_type":"user","refresh_token":"r1","expires_in":60}}""");
        var client = await world.LoggedInAsync();
        world.Time.Advance(TimeSpan.FromMinutes(1));

        var e = await Assert.ThrowsAsync<McpAuthException>(() => client.GetAccessTokenAsync(Server, default));

        Assert.Equal(McpAuthErrorCode.LoginRequired, e.Code);
    }

    [Fact]
    public async Task A_rotated_refresh_token_survives_an_odd_refresh_response()
    {
        var world = new ProviderWorld();
        world.Metadata(S256);
        world.Token = (form, n) => form["grant_type"] == "refresh_token"
            ? FakeHttp.Json($$"""{"access_token":"at-{{n}}","refresh_token":"rt-{{n}}","expires_in":"one hour","scope":7}""")
            : FakeHttp.Json("""{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1"}""");
        var client = await world.LoggedInAsync();
        world.Time.Advance(TimeSpan.FromHours(1));
        await client.GetAccessTokenAsync(Server, default);

        var (credentials, _) = await world.World.Vault.ListCredentialsAsync(default);
        var stored = Assert.Single(credentials);
        Assert.Equal(("at-2", "rt-2"), (stored.Tokens.AccessToken, stored.Tokens.RefreshToken));
    }
}
