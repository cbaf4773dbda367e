using McpAuth.Engine;
using McpAuth.Engine.Refresh;
using McpAuth.Http;
using McpAuth.Storage;

namespace McpAuth.Tests.Orchestration;

public class TokenRefresherTests
{
    private const string TokenUrl = "https://as.example.com/token";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ClientIdentity Client = new("https://as.example.com", "c1", null, "none", "dcr");
    private static readonly CredentialBinding Binding = new("default", "https://mcp.example.com", "https://as.example.com", "c1");

    private static StoredCredential Credential(long generation, DateTimeOffset expiresAt, string accessToken = "old-at") => new()
    {
        Binding = Binding,
        Tokens = new TokenSet { AccessToken = accessToken, RefreshToken = "rt-1", ExpiresAt = expiresAt, Scope = "a b" },
        TokenEndpoint = TokenUrl,
        Generation = generation,
    };

    private static async Task<(CoordinatedTokenRefresher, TokenVault)> Create(FakeHttp http, StoredCredential stored)
    {
        var vault = new TokenVault(new InMemoryTokenStore());
        await vault.SaveCredentialAsync(stored, default);
        var time = new ManualTimeProvider(Now);
        var tokens = new TokenEndpoint(new OAuthHttpClient(new HttpClient(http)), time, null);
        var coordinator = new RefreshCoordinator(vault, time, new RefreshOptions { MaxTransientRetries = 0 });
        return (new CoordinatedTokenRefresher(coordinator, tokens, time), vault);
    }

    [Fact]
    public async Task Refresh_sends_the_resource_keeps_the_old_refresh_token_and_saves_a_new_generation()
    {
        var http = new FakeHttp().OnJson("POST", TokenUrl, """{"access_token":"new-at","token_type":"Bearer","expires_in":600}""");
        var (refresher, vault) = await Create(http, Credential(1, Now));
        var refreshed = await refresher.RefreshAsync(Credential(1, Now), Client, null, null, null, default);
        var form = Assert.Single(http.Requests).Form();
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("rt-1", form["refresh_token"]);
        Assert.Equal("https://mcp.example.com", form["resource"]);
        Assert.Equal("c1", form["client_id"]);
        Assert.False(form.ContainsKey("scope"));
        Assert.Equal(("new-at", "rt-1", "a b"), (refreshed.Tokens.AccessToken, refreshed.Tokens.RefreshToken, refreshed.Tokens.Scope));
        Assert.True(refreshed.Generation > 1);
        Assert.Equal(refreshed, await vault.GetCredentialAsync(Binding, default));
    }

    [Fact]
    public async Task A_fresh_credential_is_used_without_a_request_and_a_rejected_one_is_refreshed()
    {
        var http = new FakeHttp().OnJson("POST", TokenUrl, """{"access_token":"new-at","token_type":"Bearer","expires_in":600}""");
        var fresh = Credential(1, Now.AddHours(1));
        var (refresher, _) = await Create(http, fresh);
        Assert.Equal("old-at", (await refresher.RefreshAsync(fresh, Client, null, null, null, default)).Tokens.AccessToken);
        Assert.Empty(http.Requests);
        Assert.Equal("new-at", (await refresher.RefreshAsync(fresh, Client, null, "old-at", null, default)).Tokens.AccessToken);
        Assert.Single(http.Requests);
    }

    [Fact]
    public async Task The_check_before_refreshing_runs_only_when_the_refresh_token_is_about_to_be_used()
    {
        var http = new FakeHttp().OnJson("POST", TokenUrl, """{"access_token":"new-at","token_type":"Bearer","expires_in":600}""");
        var fresh = Credential(1, Now.AddHours(1));
        var (refresher, _) = await Create(http, fresh);
        var checks = 0;
        Task Check(CancellationToken _)
        {
            checks++;
            return Task.CompletedTask;
        }

        await refresher.RefreshAsync(fresh, Client, null, null, Check, default); // already fresh in the store: no refresh
        Assert.Equal(0, checks);
        await refresher.RefreshAsync(fresh, Client, null, "old-at", Check, default);
        Assert.Equal(1, checks);
        Assert.Single(http.Requests);
    }

    [Fact]
    public async Task A_check_that_throws_stops_the_refresh_and_leaves_the_credential_as_it_was()
    {
        var http = new FakeHttp().OnJson("POST", TokenUrl, """{"access_token":"new-at","token_type":"Bearer","expires_in":600}""");
        var (refresher, vault) = await Create(http, Credential(1, Now));
        var e = await Assert.ThrowsAsync<McpAuthException>(() => refresher.RefreshAsync(Credential(1, Now), Client, null, null,
            _ => throw new McpAuthException(McpAuthErrorCode.LoginRequired, "binding changed"), default));
        Assert.Equal(McpAuthErrorCode.LoginRequired, e.Code);
        Assert.Empty(http.Requests);
        var stored = (await vault.GetCredentialAsync(Binding, default))!;
        Assert.Equal(("rt-1", CredentialState.Valid), (stored.Tokens.RefreshToken, stored.State));
    }

    [Fact]
    public async Task A_refused_refresh_token_asks_for_a_login()
    {
        var http = new FakeHttp().OnJson("POST", TokenUrl, """{"error":"invalid_grant"}""", 400);
        var (refresher, vault) = await Create(http, Credential(1, Now));
        var e = await Assert.ThrowsAsync<McpAuthException>(() => refresher.RefreshAsync(Credential(1, Now), Client, null, null, null, default));
        Assert.Equal(McpAuthErrorCode.LoginRequired, e.Code);
        Assert.Equal("invalid_grant", e.OAuthError);
        Assert.Equal(CredentialState.NeedsReauthorization, (await vault.GetCredentialAsync(Binding, default))!.State);
    }
}
