using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.Storage;
using Xunit.Abstractions;

namespace McpAuth.PostgreSql.Tests.Gateway;

/// <summary>
/// Three gateway processes share one database; credentials expire within the same minute; all three resolve all of them
/// at once through the refresh coordinator. Each credential must be refreshed exactly once, counted at the authorization
/// server (which revokes a grant on any replayed refresh token), and no caller may see an error.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ThreeGatewayProcessTests(PostgresServer server, ITestOutputHelper output) : StoreTestContext(server)
{
    private const int Replicas = 3;
    private const int ConcurrencyPerReplica = 16;
    private const int MaxPoolSizePerReplica = 28;

    [Fact]
    public async Task Three_replicas_refresh_each_of_2000_expiring_credentials_exactly_once()
    {
        const int credentials = 2000;
        await using var endpoint = await RotatingTokenEndpoint.StartAsync(latency: TimeSpan.FromMilliseconds(2));
        var bindings = GatewayReplica.Bindings(credentials, "https://as.example");
        await SeedAsync(bindings, endpoint.TokenEndpoint, i => endpoint.Issue($"{i}"));

        var reports = await ReplicaProcesses.RunAsync(Settings(bindings[0], credentials), Replicas);

        var refreshes = endpoint.RefreshesByFamily;
        Report(reports, $"token endpoint: {refreshes.Values.Sum()} refreshes, {endpoint.Replays} replays");
        Assert.All(reports, r => Assert.Equal((credentials, 0), (r.Resolved, r.Errors)));
        Assert.Equal(0, endpoint.Replays);
        Assert.Equal(credentials, refreshes.Count(f => f.Value == 1));
        Assert.Equal(credentials, reports.Sum(r => r.Refreshed));
        var vault = new TokenVault(await CreateStoreAsync());
        for (var i = 0; i < credentials; i++)
        {
            var stored = await vault.GetCredentialAsync(bindings[i], CancellationToken.None);
            Assert.Equal((endpoint.CurrentRefreshToken($"{i}"), 1L), (stored!.Tokens.RefreshToken, stored.Generation));
        }
    }

    [Fact]
    public async Task Three_replicas_refresh_each_credential_exactly_once_at_oidc_provider()
    {
        // The issue's scale, counted at the real authorization server: 2,000 live grants (the fixture's oidc-provider
        // uses an unbounded in-memory adapter; the built-in one is an LRU of 1,000 entries and would evict them).
        const int credentials = 2000;
        await using var provider = await OidcProviderServer.StartAsync(new OidcServerConfig());
        using var oauth = new RawOAuth(provider.Issuer);
        var redirectUri = new Uri("http://127.0.0.1:40002/callback");
        var clientId = await oauth.RegisterPublicClientAsync(redirectUri);
        var refreshTokens = await OidcGrants.AuthorizeManyAsync(oauth, clientId, redirectUri, credentials);
        var bindings = GatewayReplica.Bindings(credentials, provider.IssuerIdentifier, clientId);
        await SeedAsync(bindings, await oauth.EndpointAsync("token_endpoint"), i => refreshTokens[i]);
        await provider.ResetStatsAsync();

        var reports = await ReplicaProcesses.RunAsync(Settings(bindings[0], credentials), Replicas);

        var stats = await provider.StatsAsync();
        Report(reports, $"oidc-provider: {stats.TokenRequests("refresh_token")} refresh requests, "
            + $"{stats.TokenErrors.GetValueOrDefault("refresh_token")} refused, {stats.RefreshReplays} replays, "
            + string.Join("; ", stats.GrantErrors.Select(e => $"{e.Error}: {e.Detail}").Distinct()));
        Assert.All(reports, r => Assert.Equal((credentials, 0), (r.Resolved, r.Errors)));
        Assert.Equal(credentials, stats.TokenRequests("refresh_token"));
        Assert.Equal((0, 0, 0), (stats.TokenErrors.GetValueOrDefault("refresh_token"), stats.RefreshReplays, stats.GrantsRevoked));
    }

    /// <summary>
    /// Pools sized as an operator must: a refresh in flight holds two connections (its lock session and one for reads
    /// and writes), and all replicas together stay below the server's max_connections (100 here).
    /// </summary>
    private ReplicaSettings Settings(CredentialBinding sample, int credentials) =>
        new($"{Server.ConnectionString};Maximum Pool Size={MaxPoolSizePerReplica}", Schema, Key, sample.Issuer, sample.ClientId, credentials,
            ConcurrencyPerReplica);

    /// <summary>Stores one credential per binding, all expiring within the next minute (due, with the 60 s skew).</summary>
    private async Task SeedAsync(IReadOnlyList<CredentialBinding> bindings, Uri tokenEndpoint, Func<int, string> refreshToken)
    {
        var vault = new TokenVault(await CreateStoreAsync());
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(bindings.Select((binding, i) => (binding, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (item, ct) => await vault.SaveCredentialAsync(new StoredCredential
            {
                Binding = item.binding,
                Tokens = new TokenSet { AccessToken = $"at.{item.i}.0", RefreshToken = refreshToken(item.i), ExpiresAt = now.AddSeconds(item.i % 60) },
                TokenEndpoint = tokenEndpoint.ToString(),
            }, ct));
    }

    private void Report(IEnumerable<GatewayReport> reports, string server)
    {
        foreach (var r in reports)
        {
            output.WriteLine($"replica: resolved {r.Resolved}, refreshed {r.Refreshed}, errors {r.Errors} [{string.Join(", ", r.ErrorCodes)}], "
                + $"round trips {r.RoundTrips}, {r.Seconds:F2} s");
        }
        output.WriteLine(server);
    }
}
