using System.Net;
using McpAuth.Cli.Tests;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.IntegrationTests.Lifecycle;

namespace McpAuth.IntegrationTests.Cli;

/// <summary>
/// <c>mcpauth login --device</c> (RFC 8628) on the built executable against oidc-provider's device flow, approved by
/// a headless user; then <c>mcpauth token</c> prints a token the protected MCP server (introspecting) accepts.
/// </summary>
public sealed class DeviceLoginTests : IAsyncLifetime
{
    private readonly LifecycleServers _servers = new();
    private readonly TempHome _home = new();

    public Task InitializeAsync() => _servers.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _servers.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task Device_login_approved_elsewhere_gives_a_token_the_mcp_server_accepts()
    {
        var server = _servers.McpUrl.AbsoluteUri;
        var cli = new CliProcess(_home.Path);
        var stdout = new List<string>();
        var complete = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? approvedPage = null;

        var login = await cli.RunAsync(["login", server, "--device"], timeout: TimeSpan.FromSeconds(90),
            stdoutLine: stdout.Add,
            stderrLine: line =>
            {
                const string prefix = "(or open ";
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    complete.TrySetResult(new Uri(line[prefix.Length..line.IndexOf(',', StringComparison.Ordinal)]));
                }
            },
            whileRunning: async process =>
            {
                try
                {
                    using var user = new HeadlessAuthorization();
                    approvedPage = await user.ApproveDeviceCodeAsync(await complete.Task.WaitAsync(TimeSpan.FromSeconds(30)));
                }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException or HttpRequestException)
                {
                    process.Kill(entireProcessTree: true);
                }
            });

        Assert.True(login.ExitCode == 0, $"{login.Stderr}\n{_servers.Oidc.Log}");
        Assert.NotNull(approvedPage);
        var verification = Assert.Single(stdout);
        Assert.StartsWith(_servers.Oidc.IssuerIdentifier, verification, StringComparison.Ordinal);
        Assert.Contains("enter the code: ", login.Stderr);

        var token = await cli.RunAsync("token", server);
        Assert.True(token.ExitCode == 0, token.Stderr);
        var accessToken = token.Stdout.TrimEnd('\n');
        Assert.True(await _servers.IsActiveAsync(accessToken));
        Assert.Equal(HttpStatusCode.OK, await _servers.PingAsync(accessToken));
    }

    [SkippableFact]
    public async Task Ctrl_c_while_polling_exits_2_and_stores_nothing()
    {
        Skip.If(OperatingSystem.IsWindows(), "Sends SIGINT with kill: Unix only.");
        var server = _servers.McpUrl.AbsoluteUri;
        var cli = new CliProcess(_home.Path);
        var shown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var login = await cli.RunAsync(["login", server, "--device"], stdoutLine: _ => shown.TrySetResult(),
            whileRunning: async process =>
            {
                await shown.Task.WaitAsync(TimeSpan.FromSeconds(30));
                using var interrupt = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await interrupt!.WaitForExitAsync();
            });

        Assert.True(login.ExitCode == 2, login.Stderr);
        Assert.Equal(4, (await cli.RunAsync("token", server)).ExitCode);
    }

    [Fact]
    public async Task Device_login_gives_up_after_the_timeout_with_exit_2_and_stores_nothing()
    {
        var server = _servers.McpUrl.AbsoluteUri;
        var cli = new CliProcess(_home.Path);

        var login = await cli.RunAsync(["login", server, "--device", "--timeout", "3"], timeout: TimeSpan.FromSeconds(60));

        Assert.True(login.ExitCode == 2, login.Stderr);
        Assert.Contains("Gave up waiting for the authorization after 3 seconds", login.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, (await cli.RunAsync("token", server)).ExitCode);
    }
}
