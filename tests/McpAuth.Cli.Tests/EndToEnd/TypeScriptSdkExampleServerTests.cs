using McpAuth.Cli.Tests.Proxy;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>
/// The built mcpauth, as a user runs it, against the official TypeScript SDK's example Streamable HTTP server with its
/// OAuth demo provider (@modelcontextprotocol/sdk, examples/server/simpleStreamableHttp.js --oauth). That provider issues
/// no refresh token and has no revocation endpoint, so login, token, expiry and a logout without revocation are what
/// is checked (issue 13, "Real software in the test suite").
/// </summary>
public sealed class TypeScriptSdkExampleServerTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private CliProcess _cli = null!;

    public async Task InitializeAsync()
    {
        _cli = new CliProcess(Path.Combine(_home.Path, "home"));
        _cli.Environment["BROWSER"] = await CurlBrowser.CreateAsync(_home.Path);
    }

    public Task DisposeAsync()
    {
        _home.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Login_token_expiry_and_logout_without_revocation()
    {
        await using var server = await NodeMcpServer.StartStreamableExampleAsync(oauth: true);
        var url = server.Url.AbsoluteUri;

        var login = await _cli.RunAsync("login", url);
        Assert.True(login.ExitCode == ExitCodes.Ok, login.Stderr + server.Log);

        var token = await _cli.RunAsync("token", url);
        Assert.True(token.ExitCode == ExitCodes.Ok, token.Stderr);
        Assert.False(string.IsNullOrWhiteSpace(token.Stdout));

        // No refresh token from this provider: a token at its expiry means a new login (exit 4), not a refresh.
        await DueTokens.MakeDueAsync(_cli.Home);
        var due = await _cli.RunAsync("token", url);
        Assert.True(due.ExitCode == ExitCodes.LoginNeeded, $"exit {due.ExitCode}: {due.Stderr}");

        var logout = await _cli.RunAsync("logout", url);
        Assert.True(logout.ExitCode == ExitCodes.Ok, logout.Stderr);
        Assert.Contains("no revocation endpoint", logout.Stderr, StringComparison.Ordinal);
        Assert.Contains("removed them from the store", logout.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.LoginNeeded, (await _cli.RunAsync("token", url)).ExitCode);
    }
}
