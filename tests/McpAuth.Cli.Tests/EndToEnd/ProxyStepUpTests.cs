using McpAuth.Cli.Tests.Proxy;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>
/// <c>mcpauth proxy</c> step-up: logged in with mcp:read only, the sandbox's <c>admin</c> tool answers 403
/// insufficient_scope (mcp:admin); the proxy (its McpAuthHandler) logs in again for the union of scopes and the retried call succeeds.
/// The resource metadata advertises only mcp:read, so a plain re-login would not ask for mcp:admin.
/// </summary>
public sealed class ProxyStepUpTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private Sandbox.Sandbox _sandbox = null!;
    private CliProcess _cli = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions { McpServer = new SandboxMcpServerOptions { ScopesSupported = ["mcp:read"] } });
        _cli = new CliProcess(Path.Combine(_home.Path, "home"));
        _cli.Environment["BROWSER"] = await CurlBrowser.CreateAsync(_home.Path);
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task Insufficient_scope_logs_in_again_for_the_union_and_the_admin_call_succeeds()
    {
        var server = _sandbox.McpServerUrl.AbsoluteUri;
        var login = await _cli.RunAsync("login", server, "--scope", "mcp:read");
        Assert.True(login.ExitCode == ExitCodes.Ok, login.Stderr);

        var run = await TypeScriptStdioClient.RunAsync(_cli.Home, ["proxy", server], ["admin"], new Dictionary<string, string> { ["BROWSER"] = _cli.Environment["BROWSER"]! });

        Assert.True(run.ExitCode == 0, run.Stderr);
        var stepUp = Assert.Single(run.Stderr.Split('\n'), l => l.Contains("asks for authorization", StringComparison.Ordinal));
        var asked = stepUp[(stepUp.LastIndexOf("scope ", StringComparison.Ordinal) + 6)..].TrimEnd(')', '.').Split(' ');
        Assert.Contains("mcp:read", asked);
        Assert.Contains("mcp:admin", asked);
        Assert.Single(run.CallTexts);
        Assert.Equal(2, _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Authorize));
    }
}
