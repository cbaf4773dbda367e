using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpAuth.Cli.Tests;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Protocol;
using McpAuth.Storage;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAuth.IntegrationTests.RealServers;

/// <summary>
/// oidc-provider (JWT access tokens for <see cref="AccessTokenTtl"/> s, DPoP on, ES256 advertised) and two C# SDK
/// servers (tests/SdkServer) that validate its JWTs: a stateful one that requires DPoP-bound tokens (RFC 9728
/// <c>dpop_bound_access_tokens_required</c>; it checks each request's proof and the token's <c>cnf.jkt</c> and refuses
/// the Bearer scheme) and a stateless one that does not.
/// </summary>
public sealed class DPoPSdkServers : IAsyncLifetime
{
    /// <summary>Short, so that a proxy session outlives its first token (a refresh needs real time: proofs carry iat).</summary>
    public const int AccessTokenTtl = 12;

    public OidcProviderServer Oidc { get; private set; } = null!;

    public SdkMcpServer Requiring { get; private set; } = null!;

    public SdkMcpServer Plain { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Oidc = await OidcProviderServer.StartAsync(new OidcServerConfig { AccessTokenFormat = "jwt", AccessTokenTtl = AccessTokenTtl, AccountId = "alice" });
        var requiring = SdkMcpServer.StartAsync(new SdkServerSettings("stateful", Oidc.IssuerIdentifier, RequireDPoP: true));
        var plain = SdkMcpServer.StartAsync(new SdkServerSettings("stateless", Oidc.IssuerIdentifier));
        Requiring = await requiring;
        Plain = await plain;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { Requiring, Plain })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
        if (Oidc is not null)
        {
            await Oidc.DisposeAsync();
        }
    }
}

/// <summary>
/// The mcpauth CLI where the resource requires DPoP-bound tokens (RFC 9449 §5.2): the login's credential is DPoP-bound,
/// the proxy (its McpAuthHandler) adds a proof to every request, through a refresh that keeps the binding, for the C#
/// SDK's stdio client; <c>token</c> and <c>headers</c> refuse with exit 5. Where the resource does not require DPoP,
/// the CLI keeps bearer tokens though the authorization server offers DPoP.
/// </summary>
public sealed class DPoPSdkServerTests(DPoPSdkServers servers) : IClassFixture<DPoPSdkServers>
{
    private const string Refused = "dpop: refused";

    [Fact]
    public async Task The_login_credential_is_dpop_bound_and_the_proxy_calls_tools_with_proofs_across_a_refresh_that_keeps_the_binding()
    {
        var server = servers.Requiring.McpUrl;
        using var user = new CliUser();
        var anonymous = await McpCalls.PostAsync(server, null, "tools/list");

        var login = await user.LoginAsync(server);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Contains("DPoP algs=\"ES256\"", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.True(login.ExitCode == 0, $"{login.Stderr}\n{servers.Oidc.Log}\n{servers.Requiring.Log}");
        var bound = await StoredAsync(user);
        Assert.Equal("DPoP", bound.Tokens.TokenType);
        Assert.True(DPoPBoundInStatus(await user.StatusAsync()));
        Assert.Equal(Thumbprint(bound), ConfirmationKey(bound.Tokens.AccessToken));
        var refreshesBefore = (await servers.Oidc.StatsAsync()).TokenRequests("refresh_token");
        var logBefore = servers.Requiring.Log.Length; // the fixture's server is shared: read only this session's refusals

        var (tools, whoami, echo) = await ThroughProxyAsync(user, server, pause: TimeSpan.FromSeconds(DPoPSdkServers.AccessTokenTtl + 1));

        Assert.Contains("whoami", tools);
        Assert.StartsWith("sub alice, scope mcp:read", whoami, StringComparison.Ordinal);
        Assert.Equal("after the refresh", echo);
        Assert.True((await servers.Oidc.StatsAsync()).TokenRequests("refresh_token") - refreshesBefore >= 1, "the token was refreshed mid-session");
        var refreshed = await StoredAsync(user);
        Assert.NotEqual(bound.Tokens.AccessToken, refreshed.Tokens.AccessToken);
        Assert.Equal(bound.DPoPPrivateJwk, refreshed.DPoPPrivateJwk);
        Assert.Equal("DPoP", refreshed.Tokens.TokenType);
        Assert.Equal(Thumbprint(bound), ConfirmationKey(refreshed.Tokens.AccessToken));
        Assert.DoesNotContain(Refused, servers.Requiring.Log[logBefore..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_login_the_proxy_logs_in_on_the_servers_401_and_its_credential_is_dpop_bound()
    {
        var server = servers.Requiring.McpUrl;
        using var user = new CliUser();
        // Follows the authorization URL as a browser would, keeping cookies across oidc-provider's interaction redirects.
        var browser = Path.Combine(user.Cli.Home, "browser.sh");
        var jar = Path.Combine(user.Cli.Home, "cookies");
        Directory.CreateDirectory(user.Cli.Home);
        await File.WriteAllTextAsync(browser, $"#!/bin/sh\nexec curl -s -L -c '{jar}' -b '{jar}' -o /dev/null \"$1\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(browser, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var (tools, whoami, echo) = await ThroughProxyAsync(user, server, TimeSpan.Zero, browser);

        Assert.Contains("echo", tools);
        Assert.StartsWith("sub alice", whoami, StringComparison.Ordinal);
        Assert.Equal("after the refresh", echo);
        var stored = await StoredAsync(user);
        Assert.Equal("DPoP", stored.Tokens.TokenType);
        Assert.Equal(Thumbprint(stored), ConfirmationKey(stored.Tokens.AccessToken));
    }

    [Fact]
    public async Task Token_and_headers_refuse_a_dpop_bound_credential_with_exit_5_nothing_on_stdout_and_the_reason_on_stderr()
    {
        var server = servers.Requiring.McpUrl;
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(server)).ExitCode);

        var token = await user.TokenAsync(server);
        var headers = await user.Cli.RunAsync("headers", server);

        foreach (var run in new[] { token, headers })
        {
            Assert.Equal(5, run.ExitCode);
            Assert.Equal("", run.Stdout);
            var said = CliProcess.WithoutLogLines(run.Stderr);
            Assert.Contains("requires DPoP-bound tokens", said, StringComparison.Ordinal);
            Assert.Contains("a bare token would be refused", said, StringComparison.Ordinal);
            Assert.Contains("mcpauth proxy", said, StringComparison.Ordinal);
            Assert.Contains("McpAuthHandler", said, StringComparison.Ordinal);
            Assert.DoesNotContain((await StoredAsync(user)).Tokens.AccessToken, run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Importing_tokens_for_a_resource_that_requires_dpop_is_refused_and_stores_nothing()
    {
        var server = servers.Requiring.McpUrl;
        using var user = new CliUser();

        var import = await user.Cli.RunAsync(["import", server, "--access-token", "-", "--client-id", "from-another-tool"], stdin: "imported-access-token\n");

        Assert.Equal(1, import.ExitCode);
        Assert.Contains("DPoPNotSupported", import.Stderr, StringComparison.Ordinal);
        Assert.Contains("imported", CliProcess.WithoutLogLines(import.Stderr), StringComparison.Ordinal);
        Assert.DoesNotContain("imported-access-token", import.Stderr, StringComparison.Ordinal);
        var status = await user.StatusAsync();
        Assert.Equal(0, System.Text.Json.JsonDocument.Parse(status.Stdout).RootElement.GetProperty("credentials").GetArrayLength());
    }

    [Fact]
    public async Task The_server_accepts_only_a_fresh_proof_of_the_bound_key_for_this_request_and_refuses_the_bearer_scheme()
    {
        var server = new Uri(servers.Requiring.McpUrl);
        using var user = new CliUser();
        Assert.Equal(0, (await user.LoginAsync(server.AbsoluteUri)).ExitCode);
        var stored = await StoredAsync(user);
        var accessToken = stored.Tokens.AccessToken;
        using var key = DPoPKey.FromPrivateJwk(stored.DPoPPrivateJwk!);
        using var other = DPoPKey.Generate();
        var now = DateTimeOffset.UtcNow;
        var valid = key.CreateProof("POST", server, now, accessToken: accessToken);

        Assert.Equal(HttpStatusCode.OK, await InitializeAsync(server, "DPoP", accessToken, valid));
        Assert.Equal(HttpStatusCode.Unauthorized, await InitializeAsync(server, "DPoP", accessToken, valid)); // replayed jti
        Assert.Equal(HttpStatusCode.Unauthorized, await InitializeAsync(server, "Bearer", accessToken, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await InitializeAsync(server, "DPoP", accessToken, null));
        Assert.Equal(HttpStatusCode.Unauthorized,
            await InitializeAsync(server, "DPoP", accessToken, other.CreateProof("POST", server, now, accessToken: accessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await InitializeAsync(server, "DPoP", accessToken, key.CreateProof("POST", server, now)));
        Assert.Equal(HttpStatusCode.Unauthorized,
            await InitializeAsync(server, "DPoP", accessToken, key.CreateProof("GET", server, now, accessToken: accessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await InitializeAsync(server, "DPoP", accessToken,
            key.CreateProof("POST", new Uri(server, "/other"), now, accessToken: accessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await InitializeAsync(server, "DPoP", accessToken,
            key.CreateProof("POST", server, now.AddMinutes(-5), accessToken: accessToken)));
        Assert.Equal(HttpStatusCode.OK,
            await InitializeAsync(server, "DPoP", accessToken, key.CreateProof("POST", server, DateTimeOffset.UtcNow, accessToken: accessToken)));
        var log = servers.Requiring.Log;
        foreach (var reason in new[]
        {
            "jti replayed", "not the DPoP scheme", "0 DPoP proofs", "cnf.jkt is not the proof key's thumbprint",
            "ath is not the hash", "htm is not", "htu is not", "iat is not recent",
        })
        {
            Assert.Contains($"{Refused}: {reason}", log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Where_the_resource_does_not_require_dpop_the_cli_keeps_bearer_tokens_though_the_authorization_server_offers_dpop()
    {
        var server = servers.Plain.McpUrl;
        using var user = new CliUser();
        using var http = new HttpClient();
        using var metadata = JsonDocument.Parse(await http.GetStringAsync(new Uri(servers.Oidc.IssuerIdentifier.TrimEnd('/') + "/.well-known/openid-configuration")));

        var login = await user.LoginAsync(server);
        var token = await user.TokenOrFailAsync(server);
        var headers = await user.Cli.RunAsync("headers", server);

        Assert.Contains("ES256", metadata.RootElement.GetProperty("dpop_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
        Assert.True(login.ExitCode == 0, login.Stderr);
        Assert.Null(ConfirmationKey(token));
        var stored = await StoredAsync(user);
        Assert.Null(stored.DPoPPrivateJwk);
        Assert.Equal("Bearer", stored.Tokens.TokenType, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(0, headers.ExitCode);
        Assert.Equal($"{{\"Authorization\":\"Bearer {token}\"}}\n", headers.Stdout);
        Assert.Equal(HttpStatusCode.OK, await InitializeAsync(new Uri(server), "Bearer", token, null));
        Assert.False(DPoPBoundInStatus(await user.StatusAsync()));
    }

    private static bool DPoPBoundInStatus(CliRun status)
    {
        using var json = JsonDocument.Parse(status.Stdout);
        return Assert.Single(json.RootElement.GetProperty("credentials").EnumerateArray()).GetProperty("dpop_bound").GetBoolean();
    }

    /// <summary>
    /// The C# SDK's stdio client through <c>mcpauth proxy</c>: tools/list, whoami, a pause, then echo. The proxy's
    /// <paramref name="browser"/> ($BROWSER) completes a login; /bin/false fails one.
    /// </summary>
    private static async Task<(IReadOnlyList<string> Tools, string WhoAmI, string Echo)> ThroughProxyAsync(
        CliUser user, string server, TimeSpan pause, string browser = "/bin/false")
    {
        var stderr = new StringBuilder();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            StandardErrorLines = line =>
            {
                lock (stderr)
                {
                    stderr.AppendLine(line);
                }
            },
            Command = CliProcess.ExecutablePath,
            Arguments = ["proxy", server],
            EnvironmentVariables = new Dictionary<string, string?> { ["MCPAUTH_HOME"] = user.Cli.Home, ["BROWSER"] = browser },
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await using var client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
            var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
            var whoami = await client.CallToolAsync("whoami", cancellationToken: timeout.Token);
            await Task.Delay(pause, timeout.Token);
            var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "after the refresh" }, cancellationToken: timeout.Token);
            return ([.. tools.Select(t => t.Name)], Text(whoami), Text(echo));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or McpException or IOException)
        {
            string said;
            lock (stderr)
            {
                said = stderr.ToString();
            }
            throw new InvalidOperationException($"The proxy session failed; mcpauth proxy said:\n{said}", e);
        }
    }

    private static string Text(CallToolResult result)
    {
        Assert.NotEqual(true, result.IsError);
        return Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
    }

    /// <summary>An initialize request with the token under <paramref name="scheme"/> and the proof, if any; the status.</summary>
    private static async Task<HttpStatusCode> InitializeAsync(Uri server, string scheme, string accessToken, string? proof)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        const string json = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"dpop-test","version":"1"}}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, server) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, accessToken);
        if (proof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The one credential in the user's store (read with the store key in their MCPAUTH_HOME).</summary>
    private static async Task<StoredCredential> StoredAsync(CliUser user) =>
        Assert.Single((await new TokenVault(FileTokenStore.Open(new FileTokenStoreOptions { Home = user.Cli.Home }))
            .ListCredentialsAsync(CancellationToken.None)).Credentials);

    private static string Thumbprint(StoredCredential credential)
    {
        Assert.NotNull(credential.DPoPPrivateJwk);
        using var key = DPoPKey.FromPrivateJwk(credential.DPoPPrivateJwk);
        return key.Thumbprint;
    }

    /// <summary>The JWT access token's <c>cnf.jkt</c> (RFC 9449 §6.1), or null when it has none (a bearer token).</summary>
    private static string? ConfirmationKey(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        using var json = JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')));
        return json.RootElement.TryGetProperty("cnf", out var cnf) ? cnf.GetProperty("jkt").GetString() : null;
    }
}
