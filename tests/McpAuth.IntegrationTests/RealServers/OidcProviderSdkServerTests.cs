using System.Net;

namespace McpAuth.IntegrationTests.RealServers;

/// <summary>
/// The <c>mcpauth</c> CLI, as a user runs it, against the official C# SDK server (stateless 2026-07-28 and stateful)
/// validating JWT access tokens of oidc-provider: login with no flags (dynamic registration), a token the SDK's own
/// client uses for tools/list and a tool call, refresh, logout with revocation.
/// </summary>
public sealed class OidcProviderSdkServerTests(OidcProviderSdkServers servers) : IClassFixture<OidcProviderSdkServers>
{
    [Theory]
    [InlineData("stateless")]
    [InlineData("stateful")]
    public async Task Login_gives_a_token_the_sdk_server_and_client_accept(string mode)
    {
        var server = servers.Server(mode).McpUrl;
        using var user = new CliUser();

        var anonymous = await McpCalls.PostAsync(server, null, "tools/list");
        var login = await user.LoginAsync(server);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Contains("resource_metadata=", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.True(login.ExitCode == 0, $"{login.Stderr}\n{servers.Oidc.Log}\n{servers.Server(mode).Log}");
        var token = await user.TokenOrFailAsync(server);
        Assert.StartsWith("sub alice, scope mcp:read", await McpCalls.WhoAmIWithSdkClientAsync(server, token));
    }

    [Fact]
    public async Task A_token_past_its_lifetime_is_refreshed_and_the_new_one_works()
    {
        const string mode = "stateful"; // the transport is covered in both modes by the login test
        var server = servers.Server(mode).McpUrl;
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(server)).ExitCode);
        var first = await user.TokenOrFailAsync(server);
        var before = (await servers.Oidc.StatsAsync()).TokenRequests("refresh_token");

        user.ClockAhead(TimeSpan.FromSeconds(400)); // past the 300 s lifetime, on the CLI's clock only
        var second = await user.TokenOrFailAsync(server);

        Assert.NotEqual(first, second);
        Assert.Equal(1, (await servers.Oidc.StatsAsync()).TokenRequests("refresh_token") - before);
        Assert.StartsWith("sub alice", await McpCalls.WhoAmIWithSdkClientAsync(server, second));
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token_and_a_login_is_needed_again()
    {
        const string mode = "stateless";
        var server = servers.Server(mode).McpUrl;
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(server)).ExitCode);
        Assert.Equal(0, (await user.TokenAsync(server)).ExitCode);
        var before = await servers.Oidc.StatsAsync();

        var logout = await user.LogoutAsync(server);

        Assert.True(logout.ExitCode == 0, logout.Stderr);
        var after = await servers.Oidc.StatsAsync();
        Assert.True(after.Revocations - before.Revocations >= 1, logout.Stdout);
        Assert.Equal(4, (await user.TokenAsync(server)).ExitCode);
    }

    [Fact]
    public async Task Logout_says_the_refresh_token_was_revoked_when_the_jwt_access_token_cannot_be()
    {
        // oidc-provider revokes the refresh token (and with it the grant) but answers unsupported_token_type for a JWT
        // access token, which it cannot revoke: the user must read what happened to each token, not a failure.
        const string mode = "stateless";
        var server = servers.Server(mode).McpUrl;
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(server)).ExitCode);

        var logout = await user.LogoutAsync(server);

        Assert.True(logout.ExitCode == 0, logout.Stderr);
        Assert.DoesNotContain("did not revoke the tokens", logout.Stderr, StringComparison.Ordinal);
        Assert.Contains("refresh token", logout.Stderr, StringComparison.Ordinal);
    }
}
