using System.Text;
using McpAuth.Engine;
using McpAuth.Protocol;
using McpAuth.Tests.Orchestration;
using McpAuth.Tests.Refresh;

namespace McpAuth.Tests.Enterprise;

/// <summary>
/// Enterprise-managed authorization (ID-JAG): one IdP login reused for every MCP server, ID token cached per IdP issuer
/// and deleted only when the IdP rejects it, and every failure naming its leg.
/// </summary>
public class EnterpriseAuthorizationTests
{
    private const string IdpToken = "https://idp.example.com/token";
    private const string IdpIssuer = "https://idp.example.com";
    private const string Server2 = "https://mcp2.example.com/mcp";
    private static readonly Uri Server = new(OAuthWorld.Server);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly OAuthWorld _world = new();
    private readonly ManualTimeProvider _time = new(Start);
    private readonly List<string> _logins = [];
    private Func<int, HttpResponseMessage> _idp = n => IdJag($"jag-{n}");
    private Func<RecordedRequest, HttpResponseMessage>? _as;

    public EnterpriseAuthorizationTests()
    {
        _world.Http.OnJson("GET", "https://mcp2.example.com/.well-known/oauth-protected-resource/mcp",
            $$"""{"resource":"{{Server2}}","authorization_servers":["{{OAuthWorld.Issuer}}"]}""");
        var exchanges = 0;
        _world.Http.On("POST", IdpToken, _ => _idp(++exchanges));
        var issued = 0;
        _world.Http.On("POST", $"{OAuthWorld.Issuer}/token", r => _as?.Invoke(r)
            ?? FakeHttp.Json($$"""{"access_token":"at-{{++issued}}","token_type":"Bearer","expires_in":3600}"""));
    }

    private static HttpResponseMessage IdJag(string jag) => FakeHttp.Json(
        $$"""{"access_token":"{{jag}}","issued_token_type":"{{TokenExchange.IdJagTokenType}}","token_type":"N_A","expires_in":300}""");

    private static string IdToken(string name, DateTimeOffset expires) =>
        $"eyJhbGciOiJSUzI1NiJ9.{Jwt($$"""{"sub":"{{name}}","exp":{{expires.ToUnixTimeSeconds()}}}""")}.sig";

    private static string Jwt(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private McpAuthClient Client(Func<int, string>? login = null) => new(new McpAuthOptions
    {
        Client = { PreRegistered = new PreRegisteredClient("mcp-client", "mcp-secret", "client_secret_basic") },
        Grant =
        {
            Kind = McpAuthGrant.EnterpriseManaged,
            Enterprise = new EnterpriseIdentityOptions(new Uri(IdpToken), "idp-client", _ =>
            {
                var token = (login ?? (n => IdToken($"user-{n}", _time.GetUtcNow().AddHours(1))))(_logins.Count + 1);
                _logins.Add(token);
                return ValueTask.FromResult(token);
            }, "idp-secret"),
        },
    }, _world.Vault, new HttpClient(_world.Http), _time);

    private IEnumerable<RecordedRequest> Exchanges => _world.Http.Requests.Where(r => r.Key == $"POST {IdpToken}");

    [Fact]
    public async Task One_login_at_the_IdP_serves_every_MCP_server_and_every_process()
    {
        await Client().AuthorizeAsync(Server, null, default);
        await Client().AuthorizeAsync(new Uri(Server2), null, default); // another process: the vault holds the ID token

        Assert.Single(_logins);
        var exchanges = Exchanges.Select(r => r.Form()).ToList();
        Assert.Equal(2, exchanges.Count);
        Assert.All(exchanges, form =>
        {
            Assert.Equal(TokenExchange.GrantType, form["grant_type"]);
            Assert.Equal(_logins[0], form["subject_token"]);
            Assert.Equal(TokenExchange.IdTokenType, form["subject_token_type"]);
            Assert.Equal(TokenExchange.IdJagTokenType, form["requested_token_type"]);
            Assert.Equal(OAuthWorld.Issuer, form["audience"]);
        });
        Assert.Equal([OAuthWorld.Server, Server2], exchanges.Select(f => f["resource"]));
        var grants = _world.Http.Requests.Where(r => r.Key == $"POST {OAuthWorld.Issuer}/token").Select(r => r.Form()).ToList();
        Assert.Equal(["jag-1", "jag-2"], grants.Select(f => f["assertion"]));
        Assert.All(grants, f => Assert.Equal(JwtBearerGrant.GrantType, f["grant_type"]));
        var stored = await _world.Vault.GetIdentityTokenAsync("default", IdpIssuer, default);
        Assert.Equal(Start.AddHours(1), stored!.ExpiresAt);
    }

    [Fact]
    public async Task An_expiring_ID_token_is_acquired_again_by_a_new_login()
    {
        var client = Client();
        await client.AuthorizeAsync(Server, null, default);
        _time.Advance(TimeSpan.FromMinutes(59.5)); // within the 60 s skew of the ID token's expiry

        await client.AuthorizeAsync(new Uri(Server2), null, default);

        Assert.Equal(2, _logins.Count);
        Assert.Equal(_logins[1], Exchanges.Last().Form()["subject_token"]);
    }

    [Fact]
    public async Task A_cached_ID_token_the_IdP_rejects_is_replaced_by_one_new_login()
    {
        await Client().AuthorizeAsync(Server, null, default);
        _idp = n => n == 2 ? FakeHttp.Json("""{"error":"invalid_grant"}""", 400) : IdJag($"jag-{n}");

        var token = await Client().AuthorizeAsync(new Uri(Server2), null, default);

        Assert.Equal(2, _logins.Count);
        Assert.Equal([_logins[0], _logins[0], _logins[1]], Exchanges.Select(r => r.Form()["subject_token"]));
        Assert.Equal(_logins[1], (await _world.Vault.GetIdentityTokenAsync("default", IdpIssuer, default))!.IdToken);
        Assert.Equal("at-2", token.Value);
    }

    [Fact]
    public async Task A_fresh_ID_token_the_IdP_rejects_fails_the_exchange_leg_and_is_deleted()
    {
        _idp = _ => FakeHttp.Json("""{"error":"invalid_grant"}""", 400);

        var e = await Assert.ThrowsAsync<EnterpriseAuthorizationException>(() => Client().AuthorizeAsync(Server, null, default));

        Assert.Equal(EnterpriseLeg.TokenExchange, e.Leg);
        Assert.Equal(McpAuthErrorCode.InvalidGrant, e.Code);
        Assert.True(e.IdTokenRejected);
        Assert.Equal(400, e.StatusCode);
        Assert.Single(_logins);
        Assert.Null(await _world.Vault.GetIdentityTokenAsync("default", IdpIssuer, default));
        Assert.DoesNotContain(_logins[0], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_IdP_outage_fails_the_exchange_leg_and_keeps_the_ID_token()
    {
        _idp = _ => FakeHttp.Json("""{"error":"temporarily_unavailable"}""", 503);

        var e = await Assert.ThrowsAsync<EnterpriseAuthorizationException>(() => Client().AuthorizeAsync(Server, null, default));

        Assert.Equal(EnterpriseLeg.TokenExchange, e.Leg);
        Assert.True(e.IsTransient);
        Assert.False(e.IdTokenRejected);
        Assert.NotNull(await _world.Vault.GetIdentityTokenAsync("default", IdpIssuer, default));
    }

    [Fact]
    public async Task A_refused_JWT_bearer_grant_fails_that_leg_keeps_the_ID_token_and_never_falls_back()
    {
        _as = _ => FakeHttp.Json("""{"error":"invalid_grant"}""", 400);

        var e = await Assert.ThrowsAsync<EnterpriseAuthorizationException>(() => Client().AuthorizeAsync(Server, null, default));

        Assert.Equal(EnterpriseLeg.JwtBearerGrant, e.Leg);
        Assert.Equal(McpAuthErrorCode.InvalidGrant, e.Code);
        Assert.False(e.IdTokenRejected);
        Assert.NotNull(await _world.Vault.GetIdentityTokenAsync("default", IdpIssuer, default));
        Assert.DoesNotContain(_world.Http.Requests, r => r.Key == $"GET {OAuthWorld.Issuer}/authorize");
    }

    [Fact]
    public async Task A_discovery_failure_names_the_discovery_leg_and_no_login_happens()
    {
        _world.Http.OnJson("GET", OAuthWorld.Prm, $$"""{"resource":"https://other.example.com/mcp","authorization_servers":["{{OAuthWorld.Issuer}}"]}""");

        var e = await Assert.ThrowsAsync<EnterpriseAuthorizationException>(() => Client().AuthorizeAsync(Server, null, default));

        Assert.Equal(EnterpriseLeg.Discovery, e.Leg);
        Assert.Equal(McpAuthErrorCode.ResourceMismatch, e.Code);
        Assert.Empty(_logins);
    }

    [Fact]
    public async Task A_failed_IdP_login_names_the_login_leg()
    {
        var e = await Assert.ThrowsAsync<EnterpriseAuthorizationException>(
            () => Client(_ => throw new InvalidOperationException("browser closed")).AuthorizeAsync(Server, null, default));

        Assert.Equal(EnterpriseLeg.IdpLogin, e.Leg);
        Assert.Equal(McpAuthErrorCode.LoginRequired, e.Code);
        Assert.Empty(Exchanges);
    }
}
