using System.Web;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>
/// <c>mcpauth login --scope</c> and <c>--device</c> on the built executable against the sandbox (whose authorization
/// server has no device endpoint).
/// </summary>
public sealed class LoginFlagsTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await Sandbox.Sandbox.StartAsync();

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    /// <summary>The scope parameter of the URL login printed on stdout (it then gives up after one second).</summary>
    private async Task<string[]> PrintedScopesAsync(params string[] extra)
    {
        var run = await new CliProcess(_home.Path).RunAsync(
            ["login", _sandbox.McpServerUrl.AbsoluteUri, "--no-browser", "--timeout", "1", .. extra]);
        Assert.True(run.ExitCode == ExitCodes.Cancelled, run.Stderr);
        Assert.DoesNotContain("not supported", run.Stderr);
        var url = new Uri(run.Stdout.Trim());
        return (HttpUtility.ParseQueryString(url.Query)["scope"] ?? "").Split(' ');
    }

    [Fact]
    public async Task The_authorization_url_asks_for_the_scopes_given_with_scope()
    {
        var chosen = await PrintedScopesAsync("--scope", "mcp:read");
        var advertised = await PrintedScopesAsync();

        Assert.Contains("mcp:admin", advertised);
        Assert.Contains("mcp:read", chosen);
        Assert.DoesNotContain("mcp:admin", chosen);
    }

    [Fact]
    public async Task Device_login_at_a_server_without_device_authorization_gets_a_clear_error()
    {
        var run = await new CliProcess(_home.Path).RunAsync("login", _sandbox.McpServerUrl.AbsoluteUri, "--device");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("does not support the device authorization grant", run.Stderr);
        Assert.Equal("", run.Stdout);
    }
}
