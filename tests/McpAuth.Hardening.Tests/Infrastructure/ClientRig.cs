using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Hardening.Tests.Infrastructure;

/// <summary>
/// The client under attack, wired as an application would: <see cref="McpAuthClient"/> over the real
/// <see cref="OAuthHttpClient.CreateDefaultHandler"/> (no redirects, connect-time address check), the headless
/// interaction, an in-memory vault, logs captured at Trace. Short timeouts keep hostile tests quick.
/// </summary>
public sealed class ClientRig : IDisposable
{
    private readonly HttpClient _oauthHttp;
    private McpAuthClient? _client;

    /// <param name="options">The engine's options; short timeouts by default.</param>
    /// <param name="time">The clock.</param>
    /// <param name="store">The backend; in memory by default.</param>
    /// <param name="resolveHost">A DNS answer to give the OAuth handler (hostile DNS); the system resolver by default.</param>
    public ClientRig(McpAuthOptions? options = null, TimeProvider? time = null, ITokenStore? store = null,
        Func<string, CancellationToken, Task<System.Net.IPAddress[]>>? resolveHost = null)
    {
        Options = options ?? new McpAuthOptions();
        if (options?.Http is null || Options.Http.RequestTimeout == TimeSpan.FromSeconds(30))
        {
            Options.Http.RequestTimeout = TimeSpan.FromSeconds(2);
        }
        Time = time ?? TimeProvider.System;
        Vault = new TokenVault(store ?? new InMemoryTokenStore());
        Logs = new CapturingLoggerProvider();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        Secrets = new SecretHarvester(OAuthHttpClient.CreateDefaultHandler(Options.Http, resolveHost));
        _oauthHttp = new HttpClient(Secrets) { Timeout = Timeout.InfiniteTimeSpan };
        Interaction = new RecordingInteraction(new HeadlessAuthorizationInteraction(_oauthHttp, Options.Http));
    }

    public McpAuthOptions Options { get; }

    public TimeProvider Time { get; }

    public TokenVault Vault { get; }

    public CapturingLoggerProvider Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    public RecordingInteraction Interaction { get; set; }

    /// <summary>Every secret that crossed the OAuth client (tokens, codes, verifiers, client secrets).</summary>
    public SecretHarvester Secrets { get; }

    /// <summary>The OAuth HttpClient (no redirects), for interactions that fetch the authorization URL themselves.</summary>
    public HttpClient OAuthHttp => _oauthHttp;

    /// <summary>The engine, created on first use (after the test has set the options).</summary>
    public McpAuthClient Client => _client ??= NewClient();

    /// <summary>A new engine over the same vault: what a second process would see.</summary>
    public McpAuthClient NewClient() => new(Options, Vault, _oauthHttp, Time, LoggerFactory.CreateLogger<McpAuthClient>());

    /// <summary>An HttpClient for MCP requests through <see cref="McpAuthHandler"/>, redirects as the inner handler does them.</summary>
    public HttpClient McpHttp(Uri? server = null, bool followRedirects = false) =>
        new(new McpAuthHandler(Client, server, Interaction) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = followRedirects } })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

    public Task<AccessToken> AuthorizeAsync(Uri server) => Client.AuthorizeAsync(server, Interaction, CancellationToken.None);

    public void Dispose()
    {
        // The stored DPoP private keys and tokens go to the whole-suite sweep's ledger (SecretHarvester records them).
        Secrets.AddStoredAsync(Vault).GetAwaiter().GetResult();
        _oauthHttp.Dispose();
        LoggerFactory.Dispose();
    }
}

/// <summary>Wraps an interaction and records every authorization URL it was asked to open and every callback it returned.</summary>
public sealed class RecordingInteraction(IAuthorizationInteraction inner) : IAuthorizationInteraction
{
    public List<Uri> Opened { get; } = [];

    public List<Uri> Callbacks { get; } = [];

    public async Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken)
    {
        Opened.Add(authorizationUrl);
        var callback = await inner.AuthorizeAsync(authorizationUrl, redirectUri, cancellationToken);
        Callbacks.Add(callback);
        return callback;
    }
}
