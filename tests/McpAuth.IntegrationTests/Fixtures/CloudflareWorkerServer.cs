using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// Cloudflare's <c>@cloudflare/workers-oauth-provider</c> 1.2.3 in workerd (Miniflare 4, offline) with the small MCP
/// Worker tests/js/cloudflare-mcp-worker.mjs: tests/js/cloudflare-server.mjs on 127.0.0.1, on a free port. The Worker is
/// its own authorization server (auto-approving /authorize for "alice", dynamic registration, 60 s access tokens and
/// registrations: KV's minimum, refresh tokens that rotate with one previous token still valid, RFC 7009 revocation at
/// the token endpoint). Disposing stops it. Every secret it handles goes to the secret sweep's ledger.
/// </summary>
public sealed class CloudflareWorkerServer : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = new();
    private ReadyLineProcess? _process;
    private Uri? _origin;

    /// <summary>The Worker's origin, which is also the issuer: <c>http://127.0.0.1:PORT</c> (no trailing slash).</summary>
    public string Origin => _origin?.GetLeftPart(UriPartial.Authority)
        ?? throw new InvalidOperationException("The Worker has not started.");

    /// <summary>The protected MCP endpoint (the provider's canonical resource).</summary>
    public string McpUrl => Origin + "/mcp";

    /// <summary>What workerd and the launcher wrote on stderr so far.</summary>
    public string Log => _process?.Log ?? string.Empty;

    /// <summary>How long the start took, until the Worker listened.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        var start = ReadyLineProcess.StartInfo(TestTools.NodeBinary, TestTools.JsDirectory);
        start.ArgumentList.Add(Path.Combine(TestTools.JsDirectory, "cloudflare-server.mjs"));
        start.Environment["OIDC_SECRET_LEDGER"] = SuiteCapture.NewLedgerPath("cloudflare-worker");
        var (process, ready) = await ReadyLineProcess.StartAsync(start, "cloudflare-server.mjs", StartTimeout, TimeSpan.FromSeconds(3));
        _process = process;
        using (ready)
        {
            _origin = new Uri(ready.RootElement.GetProperty("origin").GetString()!);
        }
        StartupTime = clock.Elapsed;
    }

    /// <summary>Moves the Worker's clock (the provider's token, grant and registration expiry) forward.</summary>
    public async Task AdvanceClockAsync(TimeSpan by)
    {
        using var response = await _http.PostAsync(
            new Uri($"{Origin}/__test/clock?advance={(int)by.TotalSeconds}"), null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Drops a dynamically registered client's record, as KV's expirationTtl does once the provider's
    /// clientRegistrationTTL has passed (KV keeps its own real-time clock, which the tests cannot advance).
    /// Returns whether the registration existed.
    /// </summary>
    public async Task<bool> ExpireClientAsync(string clientId)
    {
        using var response = await _http.PostAsync(
            new Uri($"{Origin}/__test/expire-client?id={Uri.EscapeDataString(clientId)}"), null);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("expired").GetBoolean();
    }

    /// <summary>Requests counted by the Worker: token (refresh, authorization_code, revocation), register, authorize, mcp.</summary>
    public async Task<Dictionary<string, double>> StatsAsync() =>
        await _http.GetFromJsonAsync<Dictionary<string, double>>(new Uri($"{Origin}/__test/stats"))
            ?? throw new InvalidOperationException("The Worker sent no statistics.");

    /// <summary>Stops the Worker: closes the launcher's stdin, and kills it if it has not exited after 3 s.</summary>
    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());
}
