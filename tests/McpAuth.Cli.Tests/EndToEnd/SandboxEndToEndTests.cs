using System.Text.Json;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>
/// The built mcpauth process against the embedded sandbox (authorization server + protected MCP server on loopback).
/// The "browser" is a script that follows the authorization URL with curl, as a browser would.
/// </summary>
public sealed class SandboxEndToEndTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private CliProcess _cli = null!;
    private Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            // Shorter than the engine's refresh skew: every token is due for refresh at once.
            AuthorizationServer = new SandboxAuthorizationServerOptions { AccessTokenLifetime = TimeSpan.FromSeconds(30) },
        });
        var browser = Path.Combine(_home.Path, "browser.sh");
        await File.WriteAllTextAsync(browser, "#!/bin/sh\nexec curl -s -L -o /dev/null \"$1\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(browser, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _cli = new CliProcess(Path.Combine(_home.Path, "home"));
        _cli.Environment["BROWSER"] = browser;
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    private string Server => _sandbox.McpServerUrl.AbsoluteUri;

    private async Task LoginAsync()
    {
        var login = await _cli.RunAsync("login", Server);
        Assert.True(login.ExitCode == ExitCodes.Ok, $"login failed: {login.Stderr}");
    }

    [Fact]
    public async Task Login_then_token_status_and_an_authorized_call()
    {
        var login = await _cli.RunAsync("login", Server, "--json");

        Assert.True(login.ExitCode == ExitCodes.Ok, login.Stderr);
        Assert.Contains("Opening the browser", login.Stderr);
        Assert.Contains(_sandbox.AuthorizationServer.AuthorizationEndpoint.AbsoluteUri, login.Stderr);
        using (var json = JsonDocument.Parse(login.Stdout))
        {
            Assert.Equal("logged_in", json.RootElement.GetProperty("status").GetString());
        }
        var status = await _cli.RunAsync("status", "--json");
        using (var json = JsonDocument.Parse(status.Stdout))
        {
            var row = json.RootElement.GetProperty("credentials")[0];
            Assert.Equal(_sandbox.AuthorizationServer.IssuerIdentifier, row.GetProperty("issuer").GetString());
        }

        var token = await _cli.RunAsync("token", Server);
        Assert.Equal(ExitCodes.Ok, token.ExitCode);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _sandbox.McpServerUrl)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token.Stdout.TrimEnd('\n'));
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        var response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_second_login_reuses_the_registration_and_the_port()
    {
        await LoginAsync();
        var registrations = _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Registration);

        await LoginAsync();

        Assert.Equal(1, registrations);
        Assert.Equal(registrations, _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Registration));
    }

    [Fact]
    public async Task Token_refreshes_a_token_that_is_due()
    {
        await LoginAsync();
        var first = await _cli.RunAsync("token", Server);

        var second = await _cli.RunAsync("token", Server);

        Assert.True(first.ExitCode == ExitCodes.Ok, first.Stderr);
        Assert.True(second.ExitCode == ExitCodes.Ok, second.Stderr);
        Assert.NotEqual(first.Stdout, second.Stdout);
        Assert.True(_sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token") >= 1);
    }

    [Fact]
    public async Task Logout_revokes_and_clears_then_token_needs_a_login()
    {
        await LoginAsync();

        var logout = await _cli.RunAsync("logout", Server);
        var token = await _cli.RunAsync("token", Server);

        Assert.Equal(ExitCodes.Ok, logout.ExitCode);
        Assert.Contains("revoked the tokens at the authorization server", logout.Stderr);
        Assert.Equal(0, _sandbox.AuthorizationServer.ActiveTokenCount);
        Assert.Equal(ExitCodes.LoginNeeded, token.ExitCode);
    }

    [Fact]
    public async Task Import_discovers_the_issuer_and_token_returns_the_imported_token()
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var import = await _cli.RunAsync("import", Server, "--access-token", "imported-at", "--client-id", "external-client", "--expires-at", expires);
        var token = await _cli.RunAsync("token", Server);

        Assert.True(import.ExitCode == ExitCodes.Ok, import.Stderr);
        Assert.Equal("imported-at\n", token.Stdout);
    }
}

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
        _browser = Path.Combine(_home.Path, "browser.sh");
        await File.WriteAllTextAsync(_browser, "#!/bin/sh\nexec curl -s -L -o /dev/null \"$1\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_browser, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
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

/// <summary>Ctrl-C and the timeout on a real login process.</summary>
public sealed class LoginCancellationTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await Sandbox.Sandbox.StartAsync();

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Ctrl_c_while_waiting_exits_2_and_releases_the_port()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var port = FreePort();
        var cli = new CliProcess(_home.Path);

        var run = await cli.RunAsync(["login", _sandbox.McpServerUrl.AbsoluteUri, "--no-browser", "--callback-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            whileRunning: async process =>
            {
                for (var i = 0; i < 200 && !await IsListeningAsync(port); i++)
                {
                    await Task.Delay(50);
                }
                using var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill!.WaitForExitAsync();
            });

        Assert.Equal(ExitCodes.Cancelled, run.ExitCode);
        Assert.Contains("cancelled", run.Stderr);
        Assert.False(await IsListeningAsync(port));
        using var rebind = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        rebind.Start();
    }

    [Fact]
    public async Task A_configured_port_held_by_another_process_is_named_in_the_error()
    {
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;

        var run = await new CliProcess(_home.Path).RunAsync("login", _sandbox.McpServerUrl.AbsoluteUri, "--callback-port",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains($"Callback port {port}", run.Stderr);
        Assert.Contains("already in use", run.Stderr);
    }
}
