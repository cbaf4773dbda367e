using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Sandbox;
using McpAuth.Storage;

namespace McpAuth.Cli.Tests.EndToEnd.Providers;

/// <summary>
/// One provider emulation (a sandbox with that provider's <see cref="SandboxQuirks"/>) and the built <c>mcpauth</c>
/// driven as a user would: <c>login</c> with the flags docs/providers.md gives (passed once), <c>token</c>, two
/// refreshes, three concurrent <c>token</c> runs that make one refresh, <c>logout</c>. Every step asserts what the
/// authorization server saw and that the MCP server accepts the token. The secret sweep's ledger gets every secret the
/// emulation issued or received (<see cref="SandboxAuthorizationServerOptions.SecretObserver"/>), the secrets handed to
/// the CLI (client secrets, initial access tokens, keys) and what the CLI stored (<see cref="CliProcess"/>, each run).
/// </summary>
internal sealed class ProviderScenario : IAsyncDisposable
{
    private static readonly HttpClient Http = new();
    private readonly TempHome _home;

    private ProviderScenario(TempHome home, Sandbox.Sandbox sandbox, CliProcess cli)
    {
        _home = home;
        Sandbox = sandbox;
        Cli = cli;
    }

    public Sandbox.Sandbox Sandbox { get; }

    public CliProcess Cli { get; }

    public string Server => Sandbox.McpServerUrl.AbsoluteUri;

    public string Issuer => Sandbox.AuthorizationServer.IssuerIdentifier;

    public SandboxStats Stats => Sandbox.AuthorizationServer.Stats;

    public long Refreshes => Stats.TokenRequests(SandboxGrantTypes.RefreshToken);

    public static async Task<ProviderScenario> StartAsync(SandboxOptions options)
    {
        var home = new TempHome();
        // Every code, token, secret and assertion the emulation issues or receives goes to the secret sweep's ledger.
        var sandbox = await global::McpAuth.Sandbox.Sandbox.StartAsync(
            options with { AuthorizationServer = options.AuthorizationServer with { SecretObserver = SuiteCapture.RecordSecret } });
        var cli = new CliProcess(Path.Combine(home.Path, "home"));
        cli.Environment["BROWSER"] = await CurlBrowser.CreateAsync(home.Path);
        return new ProviderScenario(home, sandbox, cli);
    }

    /// <summary>A port free now, for a provider that pins the callback port (the app was registered with it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A pre-registered app: the client id and secret the provider's console would show.</summary>
    public SandboxClient AddClient(string clientId, string? secret, string method, string redirectUri, string? publicKeyPem = null)
    {
        var client = new SandboxClient(
            clientId, secret, method, [redirectUri], [SandboxGrantTypes.AuthorizationCode, SandboxGrantTypes.RefreshToken],
            PublicKeyPem: publicKeyPem);
        Sandbox.AuthorizationServer.AddClient(client); // its secret reaches the ledger through the SecretObserver
        return client;
    }

    /// <summary>Puts a secret in the CLI's environment (a <c>--NAME-env VAR</c> flag reads it) and in the ledger.</summary>
    public void SetSecretEnv(string variable, string kind, string value)
    {
        Cli.Environment[variable] = value;
        SuiteCapture.RecordSecret(kind, value);
    }

    /// <summary>
    /// The whole user journey. <paramref name="beforeLogout"/> runs a provider's extra step with the credential still
    /// stored (a dead refresh token, a second login without the flags).
    /// </summary>
    public async Task RunAsync(string[] loginFlags, bool offersRevocation, Func<Task>? beforeLogout = null)
    {
        var login = await Cli.RunAsync(["login", Server, .. loginFlags]);
        Assert.True(login.ExitCode == ExitCodes.Ok, "login: " + login.Stderr);
        Assert.Equal(1, Stats.Get(SandboxCounters.Authorize));
        Assert.Equal(1, Stats.TokenRequests(SandboxGrantTypes.AuthorizationCode));

        var first = await TokenAsync();
        Assert.Equal(0, Refreshes);
        await AssertMcpAcceptsAsync(first);

        var previous = first;
        for (var refresh = 1; refresh <= 2; refresh++)
        {
            await DueTokens.MakeDueAsync(Cli.Home);
            var token = await TokenAsync();
            Assert.Equal(refresh, Refreshes);
            Assert.NotEqual(previous, token);
            await AssertMcpAcceptsAsync(token);
            previous = token;
        }

        await DueTokens.MakeDueAsync(Cli.Home);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => TokenAsync()));
        Assert.Equal(3, Refreshes); // one refresh for three processes: the others waited for it
        Assert.Single(concurrent.Distinct(StringComparer.Ordinal));
        await AssertMcpAcceptsAsync(concurrent[0]);
        Assert.Equal(1, Stats.Get(SandboxCounters.Authorize)); // the flags were given once: no second login was needed

        if (beforeLogout is not null)
        {
            await beforeLogout();
        }
        await LogoutAsync(concurrent[0], offersRevocation, beforeLogout is null);
    }

    /// <summary><c>mcpauth token</c>: exit 0 and the token on stdout.</summary>
    public async Task<string> TokenAsync()
    {
        var run = await Cli.RunAsync("token", Server);
        Assert.True(run.ExitCode == ExitCodes.Ok, "token: " + run.Stderr);
        var token = run.Stdout.Trim();
        Assert.False(string.IsNullOrEmpty(token));
        return token;
    }

    /// <summary>The MCP server answers an <c>initialize</c> sent with <paramref name="token"/> (not 401).</summary>
    public async Task AssertMcpAcceptsAsync(string token) =>
        Assert.Equal(HttpStatusCode.OK, await InitializeAsync(token));

    public async Task<HttpStatusCode> InitializeAsync(string token)
    {
        const string Body = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"provider-tests","version":"1"}}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, Sandbox.McpServerUrl)
        {
            Content = new StringContent(Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task LogoutAsync(string lastToken, bool offersRevocation, bool credentialAlive)
    {
        var revocationsBefore = Stats.Get(SandboxCounters.Revocation);
        var logout = await Cli.RunAsync("logout", Server);
        Assert.True(logout.ExitCode == ExitCodes.Ok, "logout: " + logout.Stderr);
        if (offersRevocation)
        {
            Assert.True(Stats.Get(SandboxCounters.Revocation) > revocationsBefore, "logout revoked nothing: " + logout.Stderr);
            Assert.Equal(0, Sandbox.AuthorizationServer.ActiveTokenCount);
            Assert.Equal(HttpStatusCode.Unauthorized, await InitializeAsync(lastToken));
        }
        else
        {
            Assert.Equal(0, Stats.Get(SandboxCounters.Revocation));
            Assert.Equal(0, Stats.Get(SandboxCounters.Unrouted)); // the metadata named no endpoint, so none was tried
        }
        if (credentialAlive)
        {
            Assert.Contains("removed them from the store", logout.Stderr);
        }
        var vault = new TokenVault(FileTokenStore.Open(new FileTokenStoreOptions { Home = Cli.Home }));
        Assert.Empty((await vault.ListCredentialsAsync(default)).Credentials);
    }

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        _home.Dispose();
    }
}
