using System.Net;

namespace McpAuth.IntegrationTests.RealServers;

/// <summary>
/// The <c>mcpauth</c> CLI, as a user runs it, against the official C# SDK server (stateless 2026-07-28 and stateful)
/// behind OpenIddict 7.9.0: no dynamic registration, so the login names the pre-registered confidential client
/// (<c>--client-id</c>, <c>--client-secret-env</c>) and the port of its one registered redirect URI
/// (<c>--callback-port</c>); then token, refresh, logout with revocation.
/// </summary>
public sealed class OpenIddictSdkServerTests(OpenIddictSdkServers servers) : IClassFixture<OpenIddictSdkServers>
{
    private const string SecretVariable = "MCPAUTH_TEST_OPENIDDICT_SECRET";

    [Theory]
    [InlineData("stateless")]
    [InlineData("stateful")]
    public async Task Login_with_the_preregistered_client_gives_a_token_the_sdk_server_and_client_accept(string mode)
    {
        var server = servers.Server(mode).McpUrl;
        using var user = NewUser();

        var anonymous = await McpCalls.PostAsync(server, null, "tools/list");
        var login = await LoginAsync(user, mode);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Contains("resource_metadata=", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.True(login.ExitCode == 0, $"{login.Stderr}\n{servers.Server(mode).Log}");
        Assert.Equal(OpenIddictSdkServers.ClientId, user.LastClientId);
        var token = await user.TokenOrFailAsync(server);
        Assert.StartsWith("sub alice, scope mcp:read", await McpCalls.WhoAmIWithSdkClientAsync(server, token));
    }

    [Fact]
    public async Task A_token_past_its_lifetime_is_refreshed_with_the_client_secret_given_at_login()
    {
        const string mode = "stateful"; // the transport is covered in both modes by the login test
        var server = servers.Server(mode).McpUrl;
        using var user = NewUser();
        Assert.Equal(0, (await LoginAsync(user, mode)).ExitCode);
        var first = await user.TokenOrFailAsync(server);
        user.Cli.Environment.Remove(SecretVariable); // passed once, at login

        user.ClockAhead(TimeSpan.FromSeconds(400)); // past the 300 s lifetime, on the CLI's clock only
        var second = await user.TokenAsync(server);

        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {second.Stderr}");
        var token = second.Stdout.TrimEnd('\n');
        Assert.NotEqual(first, token);
        Assert.StartsWith("sub alice", await McpCalls.WhoAmIWithSdkClientAsync(server, token));
    }

    [Fact]
    public async Task Logout_revokes_with_the_client_secret_given_at_login()
    {
        const string mode = "stateless";
        var server = servers.Server(mode).McpUrl;
        using var user = NewUser();
        Assert.Equal(0, (await LoginAsync(user, mode)).ExitCode);
        user.Cli.Environment.Remove(SecretVariable); // passed once, at login

        var logout = await user.LogoutAsync(server);

        Assert.True(logout.ExitCode == 0, logout.Stderr);
        Assert.DoesNotContain("not revoke", logout.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.True(CliUser.LogoutAction(logout).GetProperty("revoked").GetBoolean(), logout.Stdout);
        Assert.Equal(4, (await user.TokenAsync(server)).ExitCode);
    }

    [Fact]
    public async Task A_login_without_a_client_id_fails_with_a_message_naming_the_flag()
    {
        // OpenIddict offers no dynamic registration: the user must name the pre-registered client.
        var server = servers.Server("stateless").McpUrl;
        using var user = new CliUser();

        var (login, browserFailure) = await user.TryLoginAsync(server, killOnBrowserFailure: true);

        Assert.Null(browserFailure); // it fails before any authorization URL
        Assert.True(login.ExitCode == 1, $"exit {login.ExitCode}: {login.Stderr}");
        Assert.Contains("--client-id", login.Stderr, StringComparison.Ordinal);
    }

    private CliUser NewUser()
    {
        var user = new CliUser();
        user.Cli.Environment[SecretVariable] = servers.ClientSecret;
        return user;
    }

    private Task<McpAuth.Cli.Tests.CliRun> LoginAsync(CliUser user, string mode) =>
        user.LoginAsync(servers.Server(mode).McpUrl,
            "--client-id", OpenIddictSdkServers.ClientId,
            "--client-secret-env", SecretVariable,
            "--callback-port", servers.CallbackPort(mode).ToString(System.Globalization.CultureInfo.InvariantCulture));
}
