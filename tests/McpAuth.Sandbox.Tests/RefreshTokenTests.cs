using System.Net;

namespace McpAuth.Sandbox.Tests;

public sealed class RefreshTokenTests : SandboxTestBase
{
    [Fact]
    public async Task Refresh_rotates_the_refresh_token_and_the_new_access_token_works()
    {
        var (client, login) = await OAuth.LoginAsync();

        var refreshed = await OAuth.RefreshAsync(client, login.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.NotEqual(login.RefreshToken, refreshed.RefreshToken);
        Assert.NotEqual(login.AccessToken, refreshed.AccessToken);
        Assert.Equal("mcp:read", refreshed.Get("scope"));
        Assert.Equal(HttpStatusCode.OK, (await McpPostAsync(refreshed.AccessToken, Call("echo", """{"text":"hi"}"""))).Status);
        Assert.Equal(1, Sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token"));
    }

    [Fact]
    public async Task Replaying_a_used_refresh_token_revokes_the_whole_family()
    {
        var (client, login) = await OAuth.LoginAsync();
        var second = await OAuth.RefreshAsync(client, login.RefreshToken);
        var third = await OAuth.RefreshAsync(client, second.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, (await McpPostAsync(third.AccessToken, Call("whoami"))).Status);

        var replay = await OAuth.RefreshAsync(client, login.RefreshToken);

        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("invalid_grant", replay.Error);
        foreach (var accessToken in new[] { login.AccessToken, second.AccessToken, third.AccessToken })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await McpPostAsync(accessToken, Call("whoami"))).Status);
        }
        Assert.Equal("invalid_grant", (await OAuth.RefreshAsync(client, third.RefreshToken)).Error);
        Assert.Equal(0, Sandbox.AuthorizationServer.ActiveTokenCount);
    }

    [Fact]
    public async Task Concurrent_refreshes_with_one_token_let_one_win_and_then_revoke_the_family()
    {
        var (client, login) = await OAuth.LoginAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => OAuth.RefreshAsync(client, login.RefreshToken)));

        var winner = Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a != winner), a => Assert.Equal("invalid_grant", a.Error));
        Assert.Equal(HttpStatusCode.Unauthorized, (await McpPostAsync(winner.AccessToken, Call("whoami"))).Status);
        Assert.Equal(8, Sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token"));
    }

    [Fact]
    public async Task Another_family_survives_a_replay()
    {
        var (client, login) = await OAuth.LoginAsync();
        var pkce = Pkce.Create();
        var other = await OAuth.ExchangeCodeAsync(client, await OAuth.GetCodeAsync(client, pkce), pkce);
        await OAuth.RefreshAsync(client, login.RefreshToken);

        await OAuth.RefreshAsync(client, login.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, (await McpPostAsync(other.AccessToken, Call("whoami"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await OAuth.RefreshAsync(client, other.RefreshToken)).Status);
    }

    [Fact]
    public async Task Refresh_may_narrow_the_scope_but_never_widen_it()
    {
        var (client, login) = await OAuth.LoginAsync("mcp:read mcp:admin");

        var narrowed = await OAuth.RefreshAsync(client, login.RefreshToken, "mcp:read");
        Assert.Equal("mcp:read", narrowed.Get("scope"));
        var widenedBack = await OAuth.RefreshAsync(client, narrowed.RefreshToken, "mcp:read mcp:admin");
        Assert.Equal("mcp:admin mcp:read", widenedBack.Get("scope"));

        var (narrowClient, narrowLogin) = await OAuth.LoginAsync("mcp:read");
        var widened = await OAuth.RefreshAsync(narrowClient, narrowLogin.RefreshToken, "mcp:read mcp:admin");
        Assert.Equal("invalid_scope", widened.Error);
        // A refused request does not consume the refresh token.
        Assert.Equal(HttpStatusCode.OK, (await OAuth.RefreshAsync(narrowClient, narrowLogin.RefreshToken)).Status);
    }

    [Fact]
    public async Task A_refresh_token_of_another_client_is_invalid_grant_and_is_not_consumed()
    {
        var (_, login) = await OAuth.LoginAsync();
        var (thief, _) = await OAuth.LoginAsync();

        Assert.Equal("invalid_grant", (await OAuth.RefreshAsync(thief, login.RefreshToken)).Error);
        Assert.Equal(HttpStatusCode.OK, (await McpPostAsync(login.AccessToken, Call("whoami"))).Status);
    }

    [Fact]
    public async Task A_client_registered_without_refresh_token_gets_none()
    {
        var client = await OAuth.RegisterAsync(grantTypes: "\"authorization_code\"");
        var pkce = Pkce.Create();

        var tokens = await OAuth.ExchangeCodeAsync(client, await OAuth.GetCodeAsync(client, pkce), pkce);

        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        Assert.Null(tokens.Get("refresh_token"));
    }
}

public sealed class ExpiryTests : SandboxTestBase
{
    private readonly ManualTimeProvider _clock = new();

    protected override SandboxOptions Options => new()
    {
        AuthorizationServer = new SandboxAuthorizationServerOptions { TimeProvider = _clock, AccessTokenLifetime = TimeSpan.FromSeconds(2) },
    };

    [Fact]
    public async Task An_expired_access_token_is_refused_and_refresh_brings_a_working_one()
    {
        var (client, login) = await OAuth.LoginAsync();
        Assert.Equal(2, login.Json.GetProperty("expires_in").GetInt64());

        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(HttpStatusCode.Unauthorized, (await McpPostAsync(login.AccessToken, Call("whoami"))).Status);
        var refreshed = await OAuth.RefreshAsync(client, login.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, (await McpPostAsync(refreshed.AccessToken, Call("whoami"))).Status);
    }

    [Fact]
    public async Task An_expired_code_is_invalid_grant()
    {
        var client = await OAuth.RegisterAsync();
        var pkce = Pkce.Create();
        var code = await OAuth.GetCodeAsync(client, pkce);

        _clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal("invalid_grant", (await OAuth.ExchangeCodeAsync(client, code, pkce)).Error);
    }
}
