using System.Text.Json;
using McpAuth.Engine.Events;
using McpAuth.Engine.Lifecycle;
using McpAuth.Storage;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>
/// The built mcpauth process against a real file store in a private MCPAUTH_HOME, seeded by the library the way a login
/// would leave it.
/// </summary>
public sealed class StoreEndToEndTests : IDisposable
{
    private const string Server = "https://mcp.example/mcp";
    private readonly TempHome _home = new();
    private readonly CliProcess _cli;

    public StoreEndToEndTests() => _cli = new CliProcess(_home.Path);

    public void Dispose() => _home.Dispose();

    private async Task SeedAsync(string accessToken, DateTimeOffset? expiresAt, string? refreshToken = "rt", string profile = "default")
    {
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = _home.Path });
        var lifecycle = new CredentialLifecycle(new TokenVault(store));
        await lifecycle.SaveAuthorizationAsync(new StoredCredential
        {
            Binding = new CredentialBinding(profile, Server, "https://as.example", "client-1"),
            Tokens = new TokenSet { AccessToken = accessToken, RefreshToken = refreshToken, ExpiresAt = expiresAt, Scope = "mcp:read" },
            TokenEndpoint = "https://as.example/token",
        }, default);
    }

    [Fact]
    public async Task Token_prints_a_stored_fresh_token_and_nothing_else()
    {
        await SeedAsync("stored-access-token", DateTimeOffset.UtcNow.AddHours(1));

        var run = await _cli.RunAsync("token", Server);

        Assert.Equal("", run.Stderr);
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal("stored-access-token\n", run.Stdout);
    }

    [Theory]
    [InlineData("HTTPS://MCP.EXAMPLE/mcp")]
    [InlineData("https://mcp.example:443/mcp/")]
    public async Task Token_finds_the_stored_resource_under_another_spelling_of_its_url(string asked)
    {
        await SeedAsync("stored-access-token", DateTimeOffset.UtcNow.AddHours(1));

        var run = await _cli.RunAsync("token", asked);

        Assert.Equal("", run.Stderr);
        Assert.Equal("stored-access-token\n", run.Stdout);
    }

    [Fact]
    public async Task Token_with_an_invalid_url_that_matches_nothing_is_a_usage_error_not_a_login()
    {
        await SeedAsync("stored-access-token", DateTimeOffset.UtcNow.AddHours(1));

        var run = await _cli.RunAsync("token", "https://[bad/mcp");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("is not an http or https server URL", run.Stderr);
    }

    [Fact]
    public async Task Token_for_another_profile_or_server_is_exit_4()
    {
        await SeedAsync("stored-access-token", DateTimeOffset.UtcNow.AddHours(1));

        var otherProfile = await _cli.RunAsync("token", Server, "--profile", "work");
        var otherServer = await _cli.RunAsync("token", "https://other.example/mcp");

        Assert.Equal(ExitCodes.LoginNeeded, otherProfile.ExitCode);
        Assert.Equal(ExitCodes.LoginNeeded, otherServer.ExitCode);
        Assert.Equal("", otherProfile.Stdout);
        Assert.Contains($"Run: mcpauth login {Server} --profile work", otherProfile.Stderr);
        Assert.Contains("Run: mcpauth login https://other.example/mcp\n", otherServer.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Token_expired_without_refresh_token_is_exit_4()
    {
        await SeedAsync("old-token", DateTimeOffset.UtcNow.AddMinutes(-5), refreshToken: null);

        var run = await _cli.RunAsync("token", Server);

        Assert.Equal(ExitCodes.LoginNeeded, run.ExitCode);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Status_on_an_empty_store_says_so()
    {
        var run = await _cli.RunAsync("status");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("No credentials stored", run.Stderr);
    }

    [Fact]
    public async Task Status_shows_the_stored_credential_masked_and_json_with_storage()
    {
        await SeedAsync("stored-access-token-abcdef", DateTimeOffset.UtcNow.AddHours(1));

        var table = await _cli.RunAsync("status");
        var json = await _cli.RunAsync("status", Server, "--json");

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains(Server, table.Stdout);
        Assert.Contains("client-1", table.Stdout);
        Assert.DoesNotContain("stored-access-token-abcdef", table.Stdout);
        Assert.Contains("Storage: file", table.Stdout);
        using var doc = JsonDocument.Parse(json.Stdout);
        var row = doc.RootElement.GetProperty("credentials")[0];
        Assert.Equal("Valid", row.GetProperty("state").GetString());
        Assert.Equal("file", row.GetProperty("storage").GetProperty("backend").GetString());
        Assert.False(string.IsNullOrEmpty(row.GetProperty("storage").GetProperty("key_protection").GetString()));
    }

    [Fact]
    public async Task Status_is_exit_1_for_a_credential_that_needs_a_login()
    {
        await SeedAsync("old-token", DateTimeOffset.UtcNow.AddMinutes(-5), refreshToken: null);

        var run = await _cli.RunAsync("status");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("needs-login", run.Stdout);
    }

    [Fact]
    public async Task Logout_clears_the_credential_and_says_it_could_not_revoke_without_an_endpoint()
    {
        await SeedAsync("stored-access-token", DateTimeOffset.UtcNow.AddHours(1));

        var logout = await _cli.RunAsync("logout", Server);
        var token = await _cli.RunAsync("token", Server);

        Assert.Equal(ExitCodes.Ok, logout.ExitCode);
        Assert.Contains("did not revoke the tokens (the authorization server has no revocation endpoint), removed them from the store", logout.Stderr);
        Assert.Equal(ExitCodes.LoginNeeded, token.ExitCode);
    }

    [Fact]
    public async Task Logout_all_clears_every_profile()
    {
        await SeedAsync("a", DateTimeOffset.UtcNow.AddHours(1));
        await SeedAsync("b", DateTimeOffset.UtcNow.AddHours(1), profile: "work");

        var logout = await _cli.RunAsync("logout", "--all", "--json");

        Assert.Equal(ExitCodes.Ok, logout.ExitCode);
        using var doc = JsonDocument.Parse(logout.Stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("actions").GetArrayLength());
        Assert.Contains("No credentials stored", (await _cli.RunAsync("status")).Stderr);
    }
}
