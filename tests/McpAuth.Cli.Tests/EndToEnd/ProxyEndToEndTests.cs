using McpAuth.Cli.Tests.Proxy;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary><c>mcpauth proxy</c> processes against the sandbox, driven by the TypeScript SDK's stdio client.</summary>
public sealed class ProxyEndToEndTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private Sandbox.Sandbox _sandbox = null!;
    private Dictionary<string, string> _environment = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await Sandbox.Sandbox.StartAsync();
        _environment = new() { ["BROWSER"] = await CurlBrowser.CreateAsync(_home.Path) };
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    private string Home => Path.Combine(_home.Path, "home");

    [Fact]
    public async Task Proxy_logs_in_when_the_server_asks_forwards_and_keeps_stdout_for_mcp_only()
    {
        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", _sandbox.McpServerUrl.AbsoluteUri, "--header", "X-Demo: 1"], ["whoami"], _environment);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("whoami", run.Tools);
        Assert.Contains("sandbox-user", Assert.Single(run.CallTexts));
        Assert.Contains("asks for authorization; logging in", run.Stderr);
    }

    [Fact]
    public async Task Two_proxies_for_one_server_share_one_browser_flow()
    {
        var first = TypeScriptStdioClient.RunAsync(Home, ["proxy", _sandbox.McpServerUrl.AbsoluteUri], ["whoami"], _environment);
        var second = TypeScriptStdioClient.RunAsync(Home, ["proxy", _sandbox.McpServerUrl.AbsoluteUri], ["whoami"], _environment);

        var runs = await Task.WhenAll(first, second);

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Stderr));
        Assert.All(runs, r => Assert.Contains("sandbox-user", Assert.Single(r.CallTexts)));
        // One authorization for both: the second waited on the first's login lock, then used its credential.
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Authorize));
    }

    [Fact]
    public async Task Login_flags_given_to_the_proxy_are_remembered_once_its_login_succeeds()
    {
        var run = await TypeScriptStdioClient.RunAsync(Home,
            ["proxy", _sandbox.McpServerUrl.AbsoluteUri, "--authorize-param", "access_type=offline", "--audience", "api://sandbox"], ["whoami"], _environment);
        Assert.True(run.ExitCode == 0, run.Stderr);

        var status = await new CliProcess(Home).RunAsync("status", "--json");

        Assert.True(status.ExitCode == ExitCodes.Ok, status.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(status.Stdout);
        var settings = json.RootElement.GetProperty("credentials")[0].GetProperty("login_settings");
        Assert.Equal("offline", settings.GetProperty("authorize_parameters").GetProperty("access_type").GetString());
        Assert.Equal("api://sandbox", settings.GetProperty("audience").GetString());
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.AuthorizeParameter("access_type")));
    }
}
