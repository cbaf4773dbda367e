using System.Diagnostics;
using System.Text.Json;
using McpAuth.Engine.Refresh;
using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.PostgreSql.Tests.Gateway;

/// <summary>What one replica reports on its last stdout line.</summary>
public sealed record GatewayReport(int Resolved, int Refreshed, int Errors, long RoundTrips, double Seconds, IReadOnlyList<string> ErrorCodes);

/// <summary>
/// One gateway replica: resolves bearers through the <see cref="RefreshCoordinator"/> over the PostgreSQL store. A cached
/// valid bearer costs no database round trip; a due one is refreshed under the store's refresh lock with a re-read after
/// acquiring it. Replicas (run as separate processes) share nothing but the database.
/// </summary>
public sealed class GatewayReplica
{
    private readonly PostgresTokenStore _store;
    private readonly OAuthHttpClient _http;
    private readonly RefreshCoordinator _coordinator;
    private int _refreshed;

    public GatewayReplica(PostgresTokenStore store, OAuthHttpClient http, TimeSpan skew, ILogger? logger = null)
    {
        _store = store;
        _http = http;
        _coordinator = new RefreshCoordinator(new TokenVault(store), TimeProvider.System,
            new RefreshOptions { Skew = skew, LockTimeout = TimeSpan.FromSeconds(120) }, logger);
    }

    public static IReadOnlyList<CredentialBinding> Bindings(int count, string issuer, string clientId = "gateway") =>
        Enumerable.Range(0, count)
            .Select(i => new CredentialBinding($"tenant{i % 25}/user{i}", "https://mcp.example/", issuer, clientId))
            .ToList();

    /// <summary>The bearer for one request: from memory when it is valid, else from the store, refreshed when due.</summary>
    public async ValueTask<string> ResolveBearerAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        (await _coordinator.GetValidAsync(binding, RefreshAsync, cancellationToken)).Tokens.AccessToken; // its cache answers first

    /// <summary>Drops the cached bearers (as after a restart), so the next resolution reads the store.</summary>
    public void Forget(IEnumerable<CredentialBinding> bindings)
    {
        foreach (var binding in bindings)
        {
            _coordinator.Forget(binding);
        }
    }

    public async Task<GatewayReport> ResolveAllAsync(IReadOnlyList<CredentialBinding> bindings, int concurrency, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var refreshedBefore = Volatile.Read(ref _refreshed);
        var errors = new List<string>();
        var resolved = 0;
        await Parallel.ForEachAsync(bindings, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (binding, ct) =>
            {
                try
                {
                    await ResolveBearerAsync(binding, ct);
                    Interlocked.Increment(ref resolved);
                }
                catch (McpAuthException e)
                {
                    lock (errors)
                    {
                        errors.Add(e.InnerException is { } inner ? $"{e.Code} ({inner.GetType().Name}: {inner.Message})" : e.Code.ToString());
                    }
                }
            });
        return new GatewayReport(resolved, Volatile.Read(ref _refreshed) - refreshedBefore, errors.Count, _store.RoundTrips,
            clock.Elapsed.TotalSeconds, errors.Distinct().ToList());
    }

    /// <summary>
    /// The refresh_token grant (RFC 6749 §6) with the library's own request and response code, called by the coordinator
    /// once per needed refresh. A public client: client_id in the body. No resource parameter (the grant's applies).
    /// </summary>
    private async Task<TokenSet> RefreshAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        var parameters = TokenEndpointMessages.RefreshToken(credential.Tokens.RefreshToken!, resource: null);
        parameters.Add(new("client_id", credential.Binding.ClientId));
        using var request = new HttpRequestMessage(HttpMethod.Post, credential.TokenEndpoint) { Content = new FormUrlEncodedContent(parameters) };
        var response = TokenEndpointMessages.Read(await _http.SendAsync(request, cancellationToken));
        Interlocked.Increment(ref _refreshed);
        return response.ToTokenSet(DateTimeOffset.UtcNow);
    }

    public static string Serialize(GatewayReport report) => JsonSerializer.Serialize(report);

    public static GatewayReport Deserialize(string line) => JsonSerializer.Deserialize<GatewayReport>(line)!;
}
