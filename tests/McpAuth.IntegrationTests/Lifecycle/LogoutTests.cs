using System.Net;
using McpAuth.Engine;

namespace McpAuth.IntegrationTests.Lifecycle;

/// <summary>Logout against oidc-provider: both tokens revoked (introspection says inactive), the store cleared.</summary>
[Collection(nameof(LifecycleCollection))]
public sealed class LogoutTests(LifecycleServers servers) : LifecycleTestBase
{
    [Fact]
    public async Task Logout_revokes_both_tokens_so_introspection_answers_inactive_and_clears_the_store()
    {
        var home = NewHome();
        using var client = new LifecycleClient(home);
        await client.LoginAsync(servers.McpUrl);
        Assert.Equal(HttpStatusCode.OK, await PingAsync(client, servers.McpUrl));
        var tokens = (await client.StoredAsync()).Tokens;
        Assert.True(await servers.IsActiveAsync(tokens.AccessToken));
        Assert.True(await servers.IsActiveAsync(tokens.RefreshToken!));
        await servers.Oidc.ResetStatsAsync();

        // A new process logs out: the client's credentials come from the store alone.
        using var other = new LifecycleClient(home);
        var result = await other.Client.LogoutAsync(servers.McpUrl, null, CancellationToken.None);

        Assert.NotNull(result);
        Assert.Equal(RevocationOutcome.Revoked, result.Revocation);
        Assert.True(result.RefreshTokenRevoked && result.AccessTokenRevoked && result.Cleared);
        Assert.False(await servers.IsActiveAsync(tokens.AccessToken));
        Assert.False(await servers.IsActiveAsync(tokens.RefreshToken!));
        Assert.Equal(2, (await servers.Oidc.StatsAsync()).Revocations);
        Assert.Empty((await other.Vault.ListCredentialsAsync(CancellationToken.None)).Credentials);
        Assert.Equal(McpAuthErrorCode.LoginRequired,
            (await Assert.ThrowsAsync<McpAuthException>(() => other.Client.GetAccessTokenAsync(servers.McpUrl, CancellationToken.None))).Code);
    }

    [Fact]
    public async Task When_the_server_cannot_be_reached_logout_still_clears_and_says_revocation_failed()
    {
        using var client = new LifecycleClient(NewHome());
        await client.LoginAsync(servers.McpUrl);
        var stored = await client.StoredAsync();
        // The revocation endpoint moved away: nothing listens there.
        var dead = stored with { RevocationEndpoint = "http://127.0.0.1:9/revoke" };
        await client.Vault.SaveCredentialAsync(dead, CancellationToken.None);
        var result = await client.Client.LogoutAsync(dead, null, CancellationToken.None);
        Assert.Equal(RevocationOutcome.Failed, result.Revocation);
        Assert.Equal(McpAuthErrorCode.TransportFailure, result.RevocationError?.Code);
        Assert.True(result.Cleared);
        Assert.Empty((await client.Vault.ListCredentialsAsync(CancellationToken.None)).Credentials);
        Assert.True(await servers.IsActiveAsync(stored.Tokens.RefreshToken!));
    }
}
