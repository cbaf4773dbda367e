using System.Text.Json;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary><c>mcpauth proxy</c> processes against the sandbox.</summary>
public sealed class ProxyEndToEndTests : IAsyncLifetime
{
    private const string Session = """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
        {"jsonrpc":"2.0","method":"notifications/initialized"}
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}

        """;

    private readonly TempHome _home = new();
    private Sandbox.Sandbox _sandbox = null!;
    private string _browser = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await Sandbox.Sandbox.StartAsync();
        _browser = await CurlBrowser.CreateAsync(_home.Path);
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    private CliProcess Cli()
    {
        var cli = new CliProcess(Path.Combine(_home.Path, "home"));
        cli.Environment["BROWSER"] = _browser;
        return cli;
    }

    [Fact]
    public async Task Proxy_logs_in_when_needed_forwards_and_keeps_stdout_for_mcp_only()
    {
        var run = await Cli().RunAsync(["proxy", _sandbox.McpServerUrl.AbsoluteUri, "--header", "X-Demo: 1"], Session);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.Stderr);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => JsonDocument.Parse(l).Dispose());
        Assert.Contains(lines, l => l.Contains("\"id\":1", StringComparison.Ordinal) && l.Contains("protocolVersion", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"id\":2", StringComparison.Ordinal) && l.Contains("sandbox-user", StringComparison.Ordinal));
        Assert.Contains("Logged in", run.Stderr);
    }

    [Fact]
    public async Task Two_proxies_for_one_server_share_one_browser_flow()
    {
        var first = Cli().RunAsync(["proxy", _sandbox.McpServerUrl.AbsoluteUri], Session);
        var second = Cli().RunAsync(["proxy", _sandbox.McpServerUrl.AbsoluteUri], Session);

        var runs = await Task.WhenAll(first, second);

        Assert.All(runs, r => Assert.True(r.ExitCode == ExitCodes.Ok, r.Stderr));
        Assert.All(runs, r => Assert.Contains("sandbox-user", r.Stdout));
        // One authorization for both: the second joined the first's login, or found its token.
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Authorize));
    }
}
