using McpAuth.Cli.Commands.Import;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// <c>mcpauth import --from mcp-remote</c> on a store the real mcp-remote 0.15.1 wrote in the test itself, after
/// logging in to tests/js/mcp-sse-server.mjs: the credential and client registration come over, the proxy uses them
/// without a new authorization and refreshes with mcp-remote's refresh token and client.
/// </summary>
public sealed class McpRemoteImportTests : IDisposable
{
    private readonly TempHome _home = new();

    private string Home => Path.Combine(_home.Path, "home");

    private string McpRemoteStoreDirectory => Path.Combine(_home.Path, "mcp-auth");

    public void Dispose() => _home.Dispose();

    private CliProcess Cli()
    {
        var cli = new CliProcess(Home);
        cli.Environment["MCP_REMOTE_CONFIG_DIR"] = McpRemoteStoreDirectory;
        return cli;
    }

    [Fact]
    public async Task A_server_mcp_remote_logged_in_to_is_imported_and_the_proxy_uses_and_refreshes_its_credential()
    {
        await using var server = await NodeMcpServer.StartSseAsync(oauth: true, tokenLifetime: TimeSpan.FromSeconds(3));
        var url = server.Url.AbsoluteUri;
        var log = await McpRemote.LogInAsync(McpRemoteStoreDirectory, url, "--header", "X-Tenant: ${TENANT}");
        var written = Directory.GetFiles(McpRemoteStoreDirectory, "*_tokens.json", SearchOption.AllDirectories);
        Assert.True(written.Length == 1, log);
        var hash = McpRemoteStore.Hash(new McpRemoteServer(url, [new("X-Tenant", "${TENANT}")]));
        Assert.Equal($"{hash}_tokens.json", Path.GetFileName(Assert.Single(written)));

        var withoutHeader = await Cli().RunAsync("import", "--from", "mcp-remote", url);
        var import = await Cli().RunAsync("import", "--from", "mcp-remote", url, "--header", "X-Tenant: ${TENANT}");
        await Task.Delay(TimeSpan.FromSeconds(3)); // mcp-remote's access token expires: the next use refreshes
        var token = await Cli().RunAsync("token", url);
        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", url], ["whoami"], new Dictionary<string, string> { ["TENANT"] = "acme" });

        Assert.Equal(ExitCodes.LoginNeeded, withoutHeader.ExitCode); // another key: mcp-remote stored nothing for it
        Assert.True(import.ExitCode == ExitCodes.Ok, import.Stderr);
        Assert.True(token.ExitCode == ExitCodes.Ok, token.Stderr);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var clientId = Assert.Single(run.CallTexts);
        Assert.Contains($"client {clientId}", import.Stderr); // the tokens were issued to mcp-remote's registration
        Assert.DoesNotContain("asks for authorization", run.Stderr);
        var stats = await server.StatsAsync();
        Assert.Equal(1, stats["authorization_code"]); // mcp-remote's login only
        Assert.Equal(1, stats["registrations"]);
        Assert.True(stats["refresh_token"] >= 1);
        Assert.Contains("/oauth/callback", await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(Path.Combine(Home, "ports")))));
    }

    [Fact]
    public async Task Every_mcp_remote_server_of_a_claude_desktop_configuration_is_imported()
    {
        await using var first = await NodeMcpServer.StartSseAsync(oauth: true);
        await using var second = await NodeMcpServer.StartSseAsync(oauth: true);
        await McpRemote.LogInAsync(McpRemoteStoreDirectory, first.Url.AbsoluteUri);
        await McpRemote.LogInAsync(McpRemoteStoreDirectory, second.Url.AbsoluteUri, "--header", "Authorization-Hint:x");
        var config = Path.Combine(_home.Path, "claude_desktop_config.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "mcpServers": {
                "first": { "command": "npx", "args": ["-y", "mcp-remote@0.15.1", "{{first.Url.AbsoluteUri}}"] },
                "second": { "command": "npx", "args": ["mcp-remote", "{{second.Url.AbsoluteUri}}", "--header", "Authorization-Hint:x"] },
                "local": { "command": "node", "args": ["server.js"] }
              }
            }
            """);

        var import = await Cli().RunAsync("import", "--from", "mcp-remote", "--config", config);
        var tokens = await Task.WhenAll(Cli().RunAsync("token", first.Url.AbsoluteUri), Cli().RunAsync("token", second.Url.AbsoluteUri));

        Assert.True(import.ExitCode == ExitCodes.Ok, import.Stderr);
        Assert.Contains("for first (", import.Stderr);
        Assert.Contains("for second (", import.Stderr);
        Assert.DoesNotContain("local", import.Stderr);
        Assert.All(tokens, t => Assert.True(t.ExitCode == ExitCodes.Ok, t.Stderr));
    }
}
