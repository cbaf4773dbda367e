using System.Net;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.IntegrationTests.RealServers;

/// <summary>
/// The <c>mcpauth</c> CLI, as a user runs it, against Cloudflare's <c>@cloudflare/workers-oauth-provider</c> 1.2.3 in
/// workerd (Miniflare) with a small MCP Worker: dynamic registration, login, token, refresh with rotation and the
/// provider's one-previous-token grace, a registration that expires, revocation at logout. Time passes on both sides
/// together: the Worker's clock through its test hook, the CLI's through libfaketime.
/// </summary>
public sealed class CloudflareProviderTests(CloudflareWorkerServer worker) : IClassFixture<CloudflareWorkerServer>
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(61); // the provider's 60 s, and a second

    private string Server => worker.McpUrl;

    [Fact]
    public async Task Login_registers_and_gives_a_token_the_mcp_worker_accepts()
    {
        using var user = new CliUser();
        var before = await worker.StatsAsync();

        var login = await user.LoginAsync(Server);

        Assert.True(login.ExitCode == 0, $"{login.Stderr}\n{worker.Log}");
        var token = await user.TokenOrFailAsync(Server);
        Assert.StartsWith("user alice, scope mcp:read", await McpCalls.WhoAmIRawAsync(Server, token));
        var after = await worker.StatsAsync();
        Assert.Equal(1, after["register"] - before["register"]);
        Assert.Equal(1, after["authorization_code"] - before["authorization_code"]);
        var anonymous = await McpCalls.PostAsync(Server, null, "tools/list");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Contains("resource_metadata=", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_and_the_refresh_token_rotates()
    {
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(Server)).ExitCode);
        var first = await user.TokenOrFailAsync(Server);
        var before = await worker.StatsAsync();

        await worker.AdvanceClockAsync(TokenLifetime);
        user.ClockAhead(TokenLifetime);
        Assert.Equal(HttpStatusCode.Unauthorized, await McpCalls.StatusWithAsync(Server, first));
        var second = await user.TokenOrFailAsync(Server);

        Assert.NotEqual(first, second);
        Assert.StartsWith("user alice, scope mcp:read", await McpCalls.WhoAmIRawAsync(Server, second));
        Assert.Equal(1, (await worker.StatsAsync())["refresh"] - before["refresh"]);

        await worker.AdvanceClockAsync(TokenLifetime);
        user.ClockAhead(TokenLifetime * 2);
        var third = await user.TokenOrFailAsync(Server); // with the rotated refresh token
        Assert.NotEqual(second, third);
        Assert.Equal(HttpStatusCode.OK, await McpCalls.StatusWithAsync(Server, third));
        Assert.Equal(2, (await worker.StatsAsync())["refresh"] - before["refresh"]);
    }

    [Fact]
    public async Task The_previous_refresh_token_still_works_until_its_replacement_is_used()
    {
        // Two copies of one credential (a home restored from a backup, a second machine): the first refreshes and
        // rotates; the second still holds the previous refresh token, which the provider accepts once more, so a
        // client that lost a refresh response can retry. The first copy's token, replaced in turn, is then dead.
        using var first = new CliUser();
        Assert.Equal(0, (await first.LoginAsync(Server)).ExitCode);
        using var second = first.CopyHome();
        await worker.AdvanceClockAsync(TokenLifetime);
        first.ClockAhead(TokenLifetime);
        second.ClockAhead(TokenLifetime);

        var rotated = await first.TokenOrFailAsync(Server);
        var fromPrevious = await second.TokenAsync(Server);

        Assert.True(fromPrevious.ExitCode == 0, $"the previous refresh token was refused: {fromPrevious.Stderr}");
        Assert.Equal(HttpStatusCode.OK, await McpCalls.StatusWithAsync(Server, fromPrevious.Stdout.TrimEnd('\n')));
        Assert.Equal(HttpStatusCode.OK, await McpCalls.StatusWithAsync(Server, rotated));

        await worker.AdvanceClockAsync(TokenLifetime);
        first.ClockAhead(TokenLifetime * 2);
        var dead = await first.TokenAsync(Server);
        Assert.True(dead.ExitCode == 4, $"exit {dead.ExitCode}: {dead.Stderr}");
    }

    [Fact]
    public async Task A_registration_that_expired_is_replaced_at_the_next_login()
    {
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(Server)).ExitCode);
        var expiredClient = user.LastClientId;
        Assert.True(await worker.ExpireClientAsync(expiredClient));
        await worker.AdvanceClockAsync(TokenLifetime);
        user.ClockAhead(TokenLifetime);

        var refused = await user.TokenAsync(Server); // the refresh: invalid_client
        Assert.True(refused.ExitCode == 4, $"exit {refused.ExitCode}: {refused.Stderr}");
        var before = await worker.StatsAsync();
        var again = await user.LoginAsync(Server);

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.NotEqual(expiredClient, user.LastClientId);
        Assert.Equal(1, (await worker.StatsAsync())["register"] - before["register"]);
        Assert.Equal(HttpStatusCode.OK, await McpCalls.StatusWithAsync(Server, await user.TokenOrFailAsync(Server)));
    }

    [Fact]
    public async Task A_login_that_failed_on_an_expired_registration_registers_again()
    {
        // The registration expired while the user was logged out: the provider refuses the authorization request on its
        // own page (no redirect, no token request), so only the next login can recover, by registering again.
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(Server)).ExitCode);
        Assert.Equal(0, (await user.LogoutAsync(Server, "--keep-registration")).ExitCode);
        var expiredClient = user.LastClientId;
        Assert.True(await worker.ExpireClientAsync(expiredClient));

        var (failed, browserFailure) = await user.TryLoginAsync(Server, killOnBrowserFailure: false, "--timeout", "2");
        Assert.NotNull(browserFailure);
        Assert.Equal(2, failed.ExitCode);
        var again = await user.LoginAsync(Server);

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.NotEqual(expiredClient, user.LastClientId);
        Assert.Equal(HttpStatusCode.OK, await McpCalls.StatusWithAsync(Server, await user.TokenOrFailAsync(Server)));
    }

    [Fact]
    public async Task A_fresh_60_second_token_is_not_refreshed_at_every_use()
    {
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(Server)).ExitCode);
        var before = await worker.StatsAsync();

        var first = await user.TokenOrFailAsync(Server);
        var second = await user.TokenOrFailAsync(Server);

        Assert.Equal(first, second);
        Assert.Equal(0, (await worker.StatsAsync())["refresh"] - before["refresh"]);
    }

    [Fact]
    public async Task Logout_revokes_at_the_provider_and_the_token_stops_working()
    {
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(Server)).ExitCode);
        var token = await user.TokenOrFailAsync(Server);
        var before = await worker.StatsAsync();

        var logout = await user.LogoutAsync(Server);

        Assert.True(logout.ExitCode == 0, logout.Stderr);
        Assert.True((await worker.StatsAsync())["revocation"] - before["revocation"] >= 1, logout.Stdout);
        Assert.True(CliUser.LogoutAction(logout).GetProperty("revoked").GetBoolean(), logout.Stdout);
        Assert.Equal(HttpStatusCode.Unauthorized, await McpCalls.StatusWithAsync(Server, token));
        Assert.Equal(4, (await user.TokenAsync(Server)).ExitCode);
    }
}
