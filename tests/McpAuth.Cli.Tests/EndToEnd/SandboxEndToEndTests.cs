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
            // Short-lived tokens (their refresh margin is a quarter of 30 s); a test that needs one due makes it so (DueTokens).
            AuthorizationServer = new SandboxAuthorizationServerOptions { AccessTokenLifetime = TimeSpan.FromSeconds(30) },
        });
        var browser = await CurlBrowser.CreateAsync(_home.Path);
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
        await DueTokens.MakeDueAsync(_cli.Home);

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

        var import = await _cli.RunAsync(["import", Server, "--access-token", "-", "--client-id", "external-client", "--expires-at", expires],
            stdin: "imported-at\n");
        var token = await _cli.RunAsync("token", Server);

        Assert.True(import.ExitCode == ExitCodes.Ok, import.Stderr);
        Assert.Equal("imported-at\n", token.Stdout);
    }
}
