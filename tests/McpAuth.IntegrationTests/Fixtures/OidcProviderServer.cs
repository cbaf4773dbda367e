using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// A real authorization server: tests/js/oidc-server.mjs (oidc-provider 9 on Node 22) on 127.0.0.1, on a free port.
/// Starts in about 0.2 s. Use one per test class (<c>IClassFixture&lt;OidcProviderServer&gt;</c>, or a subclass that
/// passes another <see cref="OidcServerConfig"/>), or <see cref="StartAsync"/> for one test. Disposing stops it.
/// Every secret it issues or receives goes to the secret sweep's ledger (<see cref="SuiteCapture.NewLedgerPath"/>).
/// </summary>
public class OidcProviderServer : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly OidcServerConfig _config;
    private readonly HttpClient _http = new();
    private ReadyLineProcess? _process;
    private Uri? _issuer;

    /// <summary>A server with the default configuration (auto interaction).</summary>
    public OidcProviderServer()
        : this(new OidcServerConfig())
    {
    }

    /// <summary>A server with the given configuration (for subclasses used as class fixtures); it starts in
    /// <see cref="InitializeAsync"/>. xUnit needs a fixture's only public constructor to be parameterless.</summary>
    protected OidcProviderServer(OidcServerConfig config) => _config = config;

    /// <summary>The issuer as a URI (note: <see cref="Uri.AbsoluteUri"/> adds a trailing slash).</summary>
    public Uri Issuer => _issuer ?? throw new InvalidOperationException("The authorization server has not started.");

    /// <summary>The exact issuer identifier the server uses in metadata and <c>iss</c>: <c>http://127.0.0.1:PORT</c>.</summary>
    public string IssuerIdentifier { get; private set; } = string.Empty;

    /// <summary>RFC 8414 authorization server metadata URL.</summary>
    public Uri MetadataUrl => new(Issuer, "/.well-known/oauth-authorization-server");

    /// <summary>How long the last start took, until the server listened.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>What the server wrote on stderr so far (JSON lines: grant.error events, warnings).</summary>
    public string Log => _process?.Log ?? string.Empty;

    /// <summary>Starts a server with the given configuration (dispose it to stop it).</summary>
    public static async Task<OidcProviderServer> StartAsync(OidcServerConfig config, CancellationToken cancellationToken = default)
    {
        var server = new OidcProviderServer(config);
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public Task InitializeAsync() => StartCoreAsync(CancellationToken.None);

    /// <summary>The server's counters (token requests by grant type, refresh replays, revocations...).</summary>
    public async Task<OidcServerStats> StatsAsync(CancellationToken cancellationToken = default) =>
        await _http.GetFromJsonAsync<OidcServerStats>(new Uri(Issuer, "/__test/stats"), Json, cancellationToken)
            ?? throw new InvalidOperationException("The authorization server sent no statistics.");

    /// <summary>Sets every counter back to zero.</summary>
    public async Task ResetStatsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsync(new Uri(Issuer, "/__test/reset"), null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Makes the server forget a dynamically registered client (its next request gets invalid_client), as servers
    /// that expire or lose registrations do. Pre-registered clients cannot be forgotten.
    /// </summary>
    public async Task ForgetClientAsync(string clientId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync(new Uri(Issuer, $"/__test/clients/{Uri.EscapeDataString(clientId)}"), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Stops the server: closes its stdin (it exits), and kills it if it has not exited after 2 s.</summary>
    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return new ValueTask(DisposeAsync());
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var start = ReadyLineProcess.StartInfo(TestTools.NodeBinary, TestTools.JsDirectory);
        start.ArgumentList.Add(Path.Combine(TestTools.JsDirectory, "oidc-server.mjs"));
        start.ArgumentList.Add(_config.ToJson());
        start.Environment["OIDC_SECRET_LEDGER"] = SuiteCapture.NewLedgerPath("oidc-provider"); // for the secret sweep
        var (process, ready) = await ReadyLineProcess.StartAsync(start, "oidc-server.mjs", StartTimeout, TimeSpan.FromSeconds(2), cancellationToken);
        _process = process;
        using (ready)
        {
            IssuerIdentifier = ready.RootElement.GetProperty("issuer").GetString()!;
        }
        _issuer = new Uri(IssuerIdentifier);
        StartupTime = clock.Elapsed;
    }
}

/// <summary>An authorization server with real HTML login and consent pages (oidc-provider devInteractions).</summary>
public sealed class HtmlOidcProviderServer() : OidcProviderServer(new OidcServerConfig { Interaction = "html" });
