using System.Diagnostics;
using System.Security.Cryptography;
using McpAuth.Http;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Gateway;
using McpAuth.Storage;

namespace McpAuth.PostgreSql.Tests.Faults;

/// <summary>What one fault run did, counted at the authorization server, the replicas and the store.</summary>
public sealed record FaultOutcome(Fault Fault, int Injected, int Credentials, int RefreshRequests, int Replays, int GrantsRevoked,
    int AnswersLost, int Resolved, IReadOnlyDictionary<string, int> Errors, int KillsWhileRefreshing, int KillsIdle,
    int CredentialsInFlightAtKills, int AbleAtEnd, double Seconds)
{
    /// <summary>One row of the results table (tests/McpAuth.PostgreSql.Tests/Benchmarks/FAULTS.md).</summary>
    public string Row() =>
        $"| {Fault} | {Injected} | {RefreshRequests} | {Replays} | {GrantsRevoked} | {AnswersLost} | {Resolved} | "
        + $"{(Errors.Count == 0 ? "none" : string.Join(", ", Errors.OrderBy(e => e.Key).Select(e => $"{e.Key} {e.Value}")))} | "
        + $"{KillsWhileRefreshing} / {KillsIdle} ({CredentialsInFlightAtKills}) | {AbleAtEnd} of {Credentials} | {Seconds:F0} s |";

    public const string Header =
        "| fault | injected | refresh requests | replays | grants revoked | answers lost | bearers served | callers' errors | kills mid-refresh / idle (credentials in flight) | can refresh at the end | time |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|";
}

/// <summary>
/// One fault run: fresh grants at oidc-provider (rotation with reuse detection, answers held after rotating), a fresh
/// schema, three replica processes resolving bearers while the fault is injected, a settling time, the replicas'
/// reports, and a final refresh of every credential by the test itself.
/// </summary>
public static class FaultScenario
{
    private const int Replicas = 3;
    private const int CallersPerReplica = 6;

    public static async Task<FaultOutcome> RunAsync(PostgresServer server, OidcProviderServer provider, Fault fault, FaultProfile profile)
    {
        var clock = Stopwatch.StartNew();
        using var oauth = new RawOAuth(provider.Issuer);
        var redirectUri = new Uri("http://127.0.0.1:40003/callback");
        var clientId = await oauth.RegisterPublicClientAsync(redirectUri);
        var refreshTokens = await OidcGrants.AuthorizeManyAsync(oauth, clientId, redirectUri, profile.Credentials);
        var bindings = GatewayReplica.Bindings(profile.Credentials, provider.IssuerIdentifier, clientId);
        var settings = new ReplicaSettings(
            $"{server.ConnectionString};Application Name={DatabaseFaults.ReplicaApplicationName};Maximum Pool Size=20;Timeout=5;Command Timeout=10",
            "f_" + Guid.NewGuid().ToString("N"), RandomNumberGenerator.GetBytes(32), provider.IssuerIdentifier, clientId, profile.Credentials,
            CallersPerReplica);
        await using var store = await OpenAsync(server, settings);
        await SeedAsync(store, bindings, await oauth.EndpointAsync("token_endpoint"), refreshTokens, profile);
        await provider.ResetStatsAsync();

        await using var fleet = new FaultFleet(settings, profile.Timing);
        await fleet.StartAsync(Replicas);
        var faults = new DatabaseFaults(server, fleet, profile);
        using (var stop = new CancellationTokenSource(profile.FaultPhase))
        {
            await faults.RunAsync(fault, stop.Token);
        }
        await Task.Delay(profile.Settle);
        var reports = await fleet.StopAsync();
        var stats = await provider.StatsAsync();

        // A store of its own: the first's pooled sessions may have died with a restart.
        await using var checking = await OpenAsync(server, settings);
        var able = await CountRefreshableAsync(checking, bindings, profile);
        var errors = reports.SelectMany(r => r.Errors).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));
        return new FaultOutcome(fault, faults.Injected, profile.Credentials, stats.TokenRequests("refresh_token"), stats.RefreshReplays,
            stats.GrantsRevoked, stats.RefreshAnswersLost, reports.Sum(r => r.Resolved), errors, fleet.KillsWhileRefreshing, fleet.KillsIdle,
            fleet.CredentialsInFlightAtKills, able, clock.Elapsed.TotalSeconds);
    }

    private static Task<PostgresTokenStore> OpenAsync(PostgresServer server, ReplicaSettings settings) =>
        PostgresTokenStore.CreateAsync(new PostgresTokenStoreOptions
        {
            ConnectionString = server.ConnectionString,
            Schema = settings.Schema,
            EnvelopeKey = settings.Key,
        }, CancellationToken.None);

    /// <summary>Stores one credential per grant, expiring at random within one access token lifetime.</summary>
    private static async Task SeedAsync(PostgresTokenStore store, IReadOnlyList<CredentialBinding> bindings, Uri tokenEndpoint,
        string[] refreshTokens, FaultProfile profile)
    {
        var vault = new TokenVault(store);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < bindings.Count; i++)
        {
            await vault.SaveCredentialAsync(new StoredCredential
            {
                Binding = bindings[i],
                Tokens = new TokenSet
                {
                    AccessToken = $"at.{i}.0",
                    RefreshToken = refreshTokens[i],
                    ExpiresAt = now.AddSeconds(Random.Shared.NextDouble() * profile.AccessTokenTtlSeconds),
                },
                TokenEndpoint = tokenEndpoint.ToString(),
            }, CancellationToken.None);
        }
    }

    /// <summary>
    /// Refreshes every credential once more, from the test, after waiting out any lease a killed replica left: a
    /// credential that still refreshes kept its grant.
    /// </summary>
    private static async Task<int> CountRefreshableAsync(PostgresTokenStore store, IReadOnlyList<CredentialBinding> bindings, FaultProfile profile)
    {
        using var http = new HttpClient(OAuthHttpClient.CreateDefaultHandler());
        var client = new OAuthHttpClient(http);
        var options = FaultReplicaProgram.Options(profile.Timing.SkewMs, profile.Timing.LeaseMs, profile.Timing.LeaseMs + 10_000);
        var able = 0;
        await Parallel.ForEachAsync(bindings, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (binding, _) =>
        {
            if (await FaultReplica.CanRefreshAsync(store, client, binding, options))
            {
                Interlocked.Increment(ref able);
            }
        });
        return able;
    }
}
