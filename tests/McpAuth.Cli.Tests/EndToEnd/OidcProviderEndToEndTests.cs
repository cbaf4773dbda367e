using System.Net.Http.Headers;
using System.Text;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>
/// The built mcpauth against a real authorization server (oidc-provider 9 on Node 22, auto consent) guarding the
/// sandbox MCP server, which validates tokens by RFC 7662 introspection at oidc-provider.
/// </summary>
public sealed class OidcProviderEndToEndTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private readonly HttpClient _http = new();
    private OidcProviderServer _oidc = null!;
    private SandboxMcpServer _mcp = null!;
    private CliProcess _cli = null!;

    public async Task InitializeAsync()
    {
        _oidc = await OidcProviderServer.StartAsync(new OidcServerConfig
        {
            AccessTokenTtl = 30,
            Clients = [OidcServerConfig.ResourceServerClient("mcp-rs", "mcp-rs-secret")],
            IntrospectionClients = ["mcp-rs"],
        });
        _mcp = await SandboxMcpServer.StartAsync(
            new SandboxMcpServerOptions { AuthorizationServers = [_oidc.IssuerIdentifier], ScopesSupported = ["mcp:read", "mcp:write"] },
            new IntrospectionTokenValidator(_http, new Uri(_oidc.Issuer, "/token/introspection"), "mcp-rs", "mcp-rs-secret"));
        // A browser keeps cookies across oidc-provider's interaction redirects.
        var browser = Path.Combine(_home.Path, "browser.sh");
        await File.WriteAllTextAsync(browser,
            $"#!/bin/sh\nexec curl -s -L -c '{_home.Path}/jar' -b '{_home.Path}/jar' -o /dev/null \"$1\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(browser, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _cli = new CliProcess(Path.Combine(_home.Path, "home"));
        _cli.Environment["BROWSER"] = browser;
    }

    public async Task DisposeAsync()
    {
        await _mcp.DisposeAsync();
        await _oidc.DisposeAsync();
        _http.Dispose();
        _home.Dispose();
    }

    private async Task<System.Net.HttpStatusCode> CallAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _mcp.McpServerUrl)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The error oidc-provider gives a public client's refresh with a made-up token: invalid_grant while the client exists.</summary>
    private async Task<string?> TokenErrorForClientAsync(string clientId)
    {
        using var response = await _http.PostAsync(new Uri(_oidc.Issuer, "/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = "made-up", ["client_id"] = clientId,
        }));
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
    }

    [Fact]
    public async Task Login_token_refresh_and_logout_against_oidc_provider()
    {
        var server = _mcp.McpServerUrl.AbsoluteUri;

        var login = await _cli.RunAsync("login", server);
        Assert.True(login.ExitCode == ExitCodes.Ok, login.Stderr + _oidc.Log);

        // oidc-provider offers DPoP, but this resource does not require it: mcpauth keeps bearer tokens (DPoPMode.WhenRequired).
        var stored = Assert.Single((await new McpAuth.Storage.TokenVault(McpAuth.Storage.FileTokenStore.Open(
            new McpAuth.Storage.FileTokenStoreOptions { Home = Path.Combine(_home.Path, "home") })).ListCredentialsAsync(default)).Credentials);
        Assert.Equal(("Bearer", null), (stored.Tokens.TokenType, stored.DPoPPrivateJwk));

        var first = await _cli.RunAsync("token", server);
        Assert.True(first.ExitCode == ExitCodes.Ok, first.Stderr);
        Assert.Equal(System.Net.HttpStatusCode.OK, await CallAsync(first.Stdout.TrimEnd('\n')));

        // Due for refresh: the next token call refreshes (with a rotated refresh token).
        await DueTokens.MakeDueAsync(_cli.Home);
        var second = await _cli.RunAsync("token", server);
        Assert.True(second.ExitCode == ExitCodes.Ok, second.Stderr + _oidc.Log);
        Assert.NotEqual(first.Stdout, second.Stdout);
        Assert.Equal(System.Net.HttpStatusCode.OK, await CallAsync(second.Stdout.TrimEnd('\n')));

        // `headers` is `token` as a JSON object (Claude Code's headersHelper): refreshed again when due, and accepted.
        await DueTokens.MakeDueAsync(_cli.Home);
        var headers = await _cli.RunAsync("headers", server);
        Assert.True(headers.ExitCode == ExitCodes.Ok, headers.Stderr);
        using (var json = System.Text.Json.JsonDocument.Parse(headers.Stdout))
        {
            var authorization = Assert.Single(json.RootElement.EnumerateObject());
            Assert.Equal("Authorization", authorization.Name);
            Assert.StartsWith("Bearer ", authorization.Value.GetString(), StringComparison.Ordinal);
            Assert.NotEqual("Bearer " + second.Stdout.TrimEnd('\n'), authorization.Value.GetString());
            Assert.Equal(System.Net.HttpStatusCode.OK, await CallAsync(authorization.Value.GetString()!["Bearer ".Length..]));
        }

        Assert.Equal("invalid_grant", await TokenErrorForClientAsync(stored.Binding.ClientId)); // the client exists

        var logout = await _cli.RunAsync("logout", server);
        Assert.Equal(ExitCodes.Ok, logout.ExitCode);
        Assert.Contains("revoked the tokens at the authorization server", logout.Stderr);
        // RFC 7592: the dynamic registration is deleted at oidc-provider too, not only forgotten here.
        Assert.Contains("removed the client registration, here and at the authorization server", logout.Stderr);
        Assert.Equal("invalid_client", await TokenErrorForClientAsync(stored.Binding.ClientId));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, await CallAsync(second.Stdout.TrimEnd('\n')));
        Assert.Equal(ExitCodes.LoginNeeded, (await _cli.RunAsync("token", server)).ExitCode);
        var noHeaders = await _cli.RunAsync("headers", server);
        Assert.Equal((ExitCodes.LoginNeeded, ""), (noHeaders.ExitCode, noHeaders.Stdout));
        Assert.Contains("mcpauth login", noHeaders.Stderr);
    }
}
