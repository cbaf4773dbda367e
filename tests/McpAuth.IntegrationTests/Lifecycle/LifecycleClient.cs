extern alias probe;

using McpAuth.Engine;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Storage;
using probe::LifecycleProbe;

namespace McpAuth.IntegrationTests.Lifecycle;

/// <summary>
/// One "process" of an MCP client: a McpAuthClient over a file store in a private home, with a clock that tests can
/// move forward and a count of the requests it sent to the authorization server.
/// </summary>
internal sealed class LifecycleClient : IDisposable
{
    public static readonly Uri RedirectUri = new("http://127.0.0.1:33418/callback");

    private readonly HttpClient _http;

    public LifecycleClient(string home, ShiftedTime? time = null)
    {
        Time = time ?? new ShiftedTime();
        Counter = new CountingHandler(new HttpClientHandler { AllowAutoRedirect = false });
        _http = new HttpClient(Counter);
        Vault = new TokenVault(FileTokenStore.Open(new FileTokenStoreOptions { Home = home }));
        // The sandbox MCP server is a Bearer resource server (no DPoP proof checks), so these clients ask for Bearer tokens.
        Client = new McpAuthClient(new McpAuthOptions { Client = { RedirectUri = RedirectUri }, Grant = { DPoP = DPoPMode.Disabled } }, Vault, _http, Time,
            SuiteLoggerFactory.Logger<McpAuthClient>());
    }

    public McpAuthClient Client { get; }

    public TokenVault Vault { get; }

    public ShiftedTime Time { get; }

    public CountingHandler Counter { get; }

    /// <summary>Logs in through oidc-provider's auto interaction.</summary>
    public async Task<AccessToken> LoginAsync(Uri server)
    {
        using var browser = new HeadlessAuthorization();
        return await Client.AuthorizeAsync(server, new Browser(browser), CancellationToken.None);
    }

    /// <summary>The one stored credential.</summary>
    public async Task<StoredCredential> StoredAsync() => Assert.Single((await Vault.ListCredentialsAsync(CancellationToken.None)).Credentials);

    /// <summary>An HTTP client for MCP requests through <see cref="McpAuthHandler"/> (no interaction: a 401 it cannot fix fails).</summary>
    public HttpClient McpHttp(Uri server) => new(new McpAuthHandler(Client, server) { InnerHandler = new HttpClientHandler() });

    public void Dispose() => _http.Dispose();

    private sealed class Browser(HeadlessAuthorization browser) : IAuthorizationInteraction
    {
        public Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken) =>
            browser.AuthorizeAsync(authorizationUrl, redirectUri, cancellationToken);
    }
}

/// <summary>The system clock moved forward by <see cref="Shift"/> (to make tokens due without waiting).</summary>
internal sealed class ShiftedTime : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
}
