using System.Diagnostics;
using System.Text.Json;
using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.PostgreSql.Tests.Gateway;

/// <summary>What one replica reports on its last stdout line.</summary>
public sealed record GatewayReport(int Resolved, int Refreshed, int Errors, long RoundTrips, double Seconds, IReadOnlyList<string> ErrorCodes);

/// <summary>
/// One gateway replica, run as its own process: resolves a bearer for every binding at once through the PostgreSQL
/// store, refreshing the due ones under the store's refresh lock with a re-read after acquiring it (the refresh
/// coordinator's protocol). Replicas share nothing but the database.
/// </summary>
public sealed class GatewayReplica(PostgresTokenStore store, OAuthHttpClient http, TimeSpan skew)
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(120);
    private readonly TokenVault _vault = new(store);
    private int _refreshed;

    public static IReadOnlyList<CredentialBinding> Bindings(int count, string issuer) =>
        Enumerable.Range(0, count)
            .Select(i => new CredentialBinding($"tenant{i % 25}/user{i}", "https://mcp.example/", issuer, "gateway"))
            .ToList();

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
                    var credential = await ResolveAsync(binding, ct);
                    if (!IsFresh(credential))
                    {
                        throw new InvalidOperationException("resolved a stale credential");
                    }
                    Interlocked.Increment(ref resolved);
                }
                catch (Exception e) when (e is McpAuthException or InvalidOperationException)
                {
                    lock (errors)
                    {
                        errors.Add(e is McpAuthException m ? m.Code.ToString() : e.Message);
                    }
                }
            });
        return new GatewayReport(resolved, Volatile.Read(ref _refreshed) - refreshedBefore, errors.Count, store.RoundTrips, clock.Elapsed.TotalSeconds, errors.Distinct().ToList());
    }

    public async Task<StoredCredential> ResolveAsync(CredentialBinding binding, CancellationToken cancellationToken)
    {
        var credential = await _vault.GetCredentialAsync(binding, cancellationToken)
            ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired);
        if (IsFresh(credential))
        {
            return credential;
        }
        await using (await store.LockAsync(StoreKeys.RefreshLock(binding), LockTimeout, cancellationToken))
        {
            // Another replica may have refreshed while this one waited: use its tokens, never replay the old refresh token.
            credential = await _vault.GetCredentialAsync(binding, cancellationToken) ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired);
            if (IsFresh(credential))
            {
                return credential;
            }
            var tokens = await RefreshAsync(credential, cancellationToken);
            var refreshed = credential with { Tokens = tokens, Generation = credential.Generation + 1, UpdatedAt = DateTimeOffset.UtcNow };
            await _vault.SaveCredentialAsync(refreshed, CancellationToken.None);
            Interlocked.Increment(ref _refreshed);
            return refreshed;
        }
    }

    private bool IsFresh(StoredCredential credential) => credential.Tokens.ExpiresAt is not { } expiresAt || DateTimeOffset.UtcNow < expiresAt - skew;

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
        var json = OAuthResponseReader.ReadJson(await http.SendAsync(request, cancellationToken), "token response");
        return new TokenSet
        {
            AccessToken = json.GetProperty("access_token").GetString()!,
            RefreshToken = json.TryGetProperty("refresh_token", out var rt) ? rt.GetString() : credential.Tokens.RefreshToken,
            ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(json.GetProperty("expires_in").GetInt64()),
        };
    }

    public static string Serialize(GatewayReport report) => JsonSerializer.Serialize(report);

    public static GatewayReport Deserialize(string line) => JsonSerializer.Deserialize<GatewayReport>(line)!;
}
