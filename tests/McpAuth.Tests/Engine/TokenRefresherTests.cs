using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Storage;

namespace McpAuth.Tests.Orchestration;

public class TokenRefresherTests
{
    private const string TokenUrl = "https://as.example.com/token";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ClientIdentity Client = new("https://as.example.com", "c1", null, "none", "dcr");
    private static readonly CredentialBinding Binding = new("default", "https://mcp.example.com", "https://as.example.com", "c1");

    private static StoredCredential Credential(long generation, DateTimeOffset expiresAt) => new()
    {
        Binding = Binding,
        Tokens = new TokenSet { AccessToken = "old-at", RefreshToken = "rt-1", ExpiresAt = expiresAt, Scope = "a b" },
        TokenEndpoint = TokenUrl,
        Generation = generation,
    };

    private static (TokenRefresher, TokenVault) Create(FakeHttp http)
    {
        var vault = new TokenVault(new InMemoryTokenStore());
        var time = new FixedTime(Now);
        var tokens = new TokenEndpoint(new OAuthHttpClient(new HttpClient(http)), time, null);
        return (new TokenRefresher(tokens, vault, time, TimeSpan.FromSeconds(60)), vault);
    }

    [Fact]
    public async Task Refresh_sends_the_resource_keeps_the_old_refresh_token_and_saves_a_new_generation()
    {
        var http = new FakeHttp().OnJson("POST", TokenUrl, """{"access_token":"new-at","token_type":"Bearer","expires_in":600}""");
        var (refresher, vault) = Create(http);
        var refreshed = await refresher.RefreshAsync(Credential(1, Now), Client, null, default);
        var form = Assert.Single(http.Requests).Form();
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("rt-1", form["refresh_token"]);
        Assert.Equal("https://mcp.example.com", form["resource"]);
        Assert.False(form.ContainsKey("scope"));
        Assert.Equal("new-at", refreshed.Tokens.AccessToken);
        Assert.Equal("rt-1", refreshed.Tokens.RefreshToken);
        Assert.Equal("a b", refreshed.Tokens.Scope);
        Assert.Equal(2, refreshed.Generation);
        Assert.Equal(refreshed, await vault.GetCredentialAsync(Binding, default));
    }

    [Fact]
    public async Task A_credential_refreshed_elsewhere_is_reused_without_a_request()
    {
        var (refresher, vault) = Create(new FakeHttp());
        var newer = Credential(5, Now.AddHours(1));
        await vault.SaveCredentialAsync(newer, default);
        Assert.Equal(newer, await refresher.RefreshAsync(Credential(1, Now), Client, null, default));
    }

    [Fact]
    public async Task Invalid_grant_surfaces_as_a_typed_error()
    {
        var http = new FakeHttp().OnJson("POST", TokenUrl, """{"error":"invalid_grant"}""", 400);
        var (refresher, _) = Create(http);
        var e = await Assert.ThrowsAsync<McpAuthException>(() => refresher.RefreshAsync(Credential(1, Now), Client, null, default));
        Assert.Equal(McpAuthErrorCode.InvalidGrant, e.Code);
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(61, false)]
    public void Expiring_means_within_the_skew(int secondsLeft, bool expiring) =>
        Assert.Equal(expiring, TokenRefresher.IsExpiring(new TokenSet { AccessToken = "a", ExpiresAt = Now.AddSeconds(secondsLeft) }, Now,
            TimeSpan.FromSeconds(60)));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
