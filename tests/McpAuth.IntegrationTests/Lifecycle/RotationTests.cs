using System.Net;

namespace McpAuth.IntegrationTests.Lifecycle;

/// <summary>Refresh against oidc-provider with rotation and replay detection: rotation saved, nothing replayed.</summary>
[Collection(nameof(LifecycleCollection))]
public sealed class RotationTests(LifecycleServers servers) : LifecycleTestBase
{
    [Fact]
    public async Task Every_rotated_refresh_token_is_saved_and_no_used_one_is_ever_replayed()
    {
        using var client = new LifecycleClient(NewHome());
        await client.LoginAsync(servers.McpUrl);
        await servers.Oidc.ResetStatsAsync();
        var seen = new HashSet<string> { (await client.StoredAsync()).Tokens.RefreshToken! };
        for (var i = 0; i < 10; i++)
        {
            client.Time.Shift += TimeSpan.FromSeconds(LifecycleServers.AccessTokenTtl);
            var token = await client.Client.GetAccessTokenAsync(servers.McpUrl, CancellationToken.None);
            var stored = await client.StoredAsync();
            Assert.Equal(token.Value, stored.Tokens.AccessToken);
            Assert.True(seen.Add(stored.Tokens.RefreshToken!), "the stored refresh token must be the newly rotated one");
            Assert.True(await servers.IsActiveAsync(stored.Tokens.RefreshToken!));
        }
        Assert.Equal(HttpStatusCode.OK, await PingAsync(client, servers.McpUrl));
        var stats = await servers.Oidc.StatsAsync();
        Assert.Equal(10, stats.TokenRequests("refresh_token"));
        Assert.Equal(0, stats.RefreshReplays);
        Assert.Equal(0, stats.GrantsRevoked);
        Assert.Empty(stats.TokenErrors);
    }

    [Fact]
    public async Task Concurrent_callers_in_four_clients_over_one_store_cause_one_refresh_per_expiry_and_no_replay()
    {
        var home = NewHome();
        using var first = new LifecycleClient(home);
        await first.LoginAsync(servers.McpUrl);
        await servers.Oidc.ResetStatsAsync();
        var time = new ShiftedTime();
        var clients = Enumerable.Range(0, 4).Select(_ => new LifecycleClient(home, time)).ToList();
        try
        {
            for (var round = 1; round <= 5; round++)
            {
                time.Shift += TimeSpan.FromSeconds(LifecycleServers.AccessTokenTtl);
                var tokens = await Task.WhenAll(clients.SelectMany(c => Enumerable.Range(0, 16)
                    .Select(_ => Task.Run(() => c.Client.GetAccessTokenAsync(servers.McpUrl, CancellationToken.None)))));
                Assert.Single(tokens.Select(t => t.Value).Distinct());
                Assert.Equal(round, (await servers.Oidc.StatsAsync()).TokenRequests("refresh_token"));
            }
            var stats = await servers.Oidc.StatsAsync();
            Assert.Equal(0, stats.RefreshReplays);
            Assert.Equal(0, stats.GrantsRevoked);
            Assert.Equal(HttpStatusCode.OK, await PingAsync(clients[0], servers.McpUrl));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}

[CollectionDefinition(nameof(LifecycleCollection))]
public sealed class LifecycleCollection : ICollectionFixture<LifecycleServers>;
