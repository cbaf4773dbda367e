using System.Diagnostics;
using System.Text.Json;
using McpAuth.Engine.Refresh;
using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

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

    public GatewayReplica(PostgresTokenStore store, OAuthHttpClient http, TimeSpan skew)
    {
        _store = store;
        _http = http;
        _coordinator = new RefreshCoordinator(new TokenVault(store), TimeProvider.System,
            new RefreshOptions { Skew = skew, LockTimeout = TimeSpan.FromSeconds(120) });
    }

    public static IReadOnlyList<CredentialBinding> Bindings(int count, string issuer) =>
        Enumerable.Range(0, count)
            .Select(i => new CredentialBinding($"tenant{i % 25}/user{i}", "https://mcp.example/", issuer, "gateway"))
            .ToList();

    /// <summary>The bearer for one request: from memory when it is valid, else from the store, refreshed when due.</summary>
    public async ValueTask<string> ResolveBearerAsync(CredentialBinding binding, CancellationToken cancellationToken) =>
        _coordinator.TryGetCachedAccessToken(binding, out var accessToken)
            ? accessToken
            : (await _coordinator.GetValidAsync(binding, RefreshAsync, cancellationToken)).Tokens.AccessToken;

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
                        errors.Add(e.Code.ToString());
                    }
                }
            });
        return new GatewayReport(resolved, Volatile.Read(ref _refreshed) - refreshedBefore, errors.Count, _store.RoundTrips,
            clock.Elapsed.TotalSeconds, errors.Distinct().ToList());
    }

    /// <summary>The refresh_token grant (RFC 6749 §6), called by the coordinator once per needed refresh.</summary>
    private async Task<TokenSet> RefreshAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, credential.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = credential.Tokens.RefreshToken!,
                ["client_id"] = credential.Binding.ClientId,
            }),
        };
        var json = OAuthResponseReader.ReadJson(await _http.SendAsync(request, cancellationToken), "token response");
        Interlocked.Increment(ref _refreshed);
        return new TokenSet
        {
            AccessToken = json.GetProperty("access_token").GetString()!,
            RefreshToken = json.TryGetProperty("refresh_token", out var rt) ? rt.GetString() : null,
            ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(json.GetProperty("expires_in").GetInt64()),
        };
    }

    public static string Serialize(GatewayReport report) => JsonSerializer.Serialize(report);

    public static GatewayReport Deserialize(string line) => JsonSerializer.Deserialize<GatewayReport>(line)!;
}
