using Xunit.Abstractions;
using System.Net.Http;
using System.Text.Json;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.IntegrationTests.Smoke;

/// <summary>Proves the oidc-provider fixture is a real authorization server with the behaviour tests rely on.</summary>
public sealed class OidcProviderSmokeTests(OidcProviderServer server, ITestOutputHelper output) : IClassFixture<OidcProviderServer>
{
    private const string Resource = "http://127.0.0.1:40001/mcp";

    [Fact]
    public async Task Metadata_AdvertisesPkceIssRegistrationRevocationIntrospectionAndDpop()
    {
        using var oauth = new RawOAuth(server.Issuer);
        var metadata = await oauth.MetadataAsync();
        output.WriteLine($"oidc-provider started in {server.StartupTime.TotalMilliseconds:F0} ms");

        Assert.Equal(server.IssuerIdentifier, metadata.GetProperty("issuer").GetString());
        Assert.Equal(["S256"], Strings(metadata, "code_challenge_methods_supported"));
        Assert.True(metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Contains("refresh_token", Strings(metadata, "grant_types_supported"));
        Assert.Contains("client_credentials", Strings(metadata, "grant_types_supported"));
        Assert.Contains("ES256", Strings(metadata, "dpop_signing_alg_values_supported"));
        foreach (var endpoint in new[] { "registration_endpoint", "revocation_endpoint", "introspection_endpoint" })
        {
            Assert.StartsWith(server.IssuerIdentifier, metadata.GetProperty(endpoint).GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AuthorizationCodeWithPkce_RotatesRefreshTokens_AndAReplayRevokesTheGrant()
    {
        await server.ResetStatsAsync();
        using var oauth = new RawOAuth(server.Issuer);
        var (clientId, redirectUri) = await RegisterPublicClientAsync(oauth);

        var first = await AuthorizeAndRedeemAsync(oauth, clientId, redirectUri);
        Assert.Equal(200, first.Status);
        Assert.Equal("mcp:read mcp:write", first["scope"]);
        var second = await RefreshAsync(oauth, clientId, first["refresh_token"]!);
        var third = await RefreshAsync(oauth, clientId, second["refresh_token"]!);
        Assert.Equal(200, second.Status);
        Assert.Equal(200, third.Status);
        Assert.NotEqual(first["refresh_token"], second["refresh_token"]);
        Assert.NotEqual(second["refresh_token"], third["refresh_token"]);
        Assert.True(await IsActiveAsync(oauth, clientId, third["refresh_token"]!));

        var replay = await RefreshAsync(oauth, clientId, first["refresh_token"]!);

        Assert.Equal(400, replay.Status);
        Assert.Equal("invalid_grant", replay["error"]);
        Assert.False(await IsActiveAsync(oauth, clientId, third["refresh_token"]!));
        Assert.False(await IsActiveAsync(oauth, clientId, third["access_token"]!));
        var stats = await server.StatsAsync();
        Assert.Equal(1, stats.TokenRequests("authorization_code"));
        Assert.Equal(3, stats.TokenRequests("refresh_token"));
        Assert.Equal(1, stats.TokenErrors.GetValueOrDefault("refresh_token"));
        Assert.Equal(1, stats.RefreshReplays);
        Assert.Equal(1, stats.GrantsRevoked);
        Assert.Equal(1, stats.Registrations);
        Assert.Contains(stats.GrantErrors, e => e.Detail == "refresh token already used");
    }

    [Fact]
    public async Task AuthorizationResponse_CarriesStateAndIss_AndTheAccessTokenIsBoundToTheResource()
    {
        using var oauth = new RawOAuth(server.Issuer);
        var (clientId, redirectUri) = await RegisterPublicClientAsync(oauth);
        var (verifier, challenge) = RawOAuth.NewPkce();
        using var browser = new HeadlessAuthorization();

        var callback = await browser.AuthorizeAsync(await AuthorizationUrlAsync(oauth, clientId, redirectUri, challenge), redirectUri);
        var tokens = await RedeemAsync(oauth, clientId, redirectUri, callback, verifier);
        var introspection = await oauth.IntrospectAsync(new Dictionary<string, string> { ["token"] = tokens["access_token"]!, ["client_id"] = clientId });

        Assert.Equal("state-1", HeadlessAuthorization.QueryParameter(callback, "state"));
        Assert.Equal(server.IssuerIdentifier, HeadlessAuthorization.QueryParameter(callback, "iss"));
        Assert.True(introspection.Body.GetProperty("active").GetBoolean());
        Assert.Equal(Resource, introspection["aud"]);
        Assert.Equal("test-user", introspection["sub"]);
    }

    [Fact]
    public async Task Revocation_OfTheRefreshToken_EndsTheGrant()
    {
        await server.ResetStatsAsync();
        using var oauth = new RawOAuth(server.Issuer);
        var (clientId, redirectUri) = await RegisterPublicClientAsync(oauth);
        var tokens = await AuthorizeAndRedeemAsync(oauth, clientId, redirectUri);

        var status = await oauth.RevokeAsync(new Dictionary<string, string>
        {
            ["token"] = tokens["refresh_token"]!, ["token_type_hint"] = "refresh_token", ["client_id"] = clientId,
        });

        Assert.Equal(200, status);
        Assert.False(await IsActiveAsync(oauth, clientId, tokens["refresh_token"]!));
        Assert.Equal("invalid_grant", (await RefreshAsync(oauth, clientId, tokens["refresh_token"]!))["error"]);
        Assert.Equal(1, (await server.StatsAsync()).Revocations);
    }

    [Fact]
    public async Task Dispose_StopsTheServer()
    {
        var own = await OidcProviderServer.StartAsync(new OidcServerConfig { AccessTokenTtl = 5 });
        using var http = new HttpClient();
        var metadata = own.MetadataUrl;
        Assert.True((await http.GetAsync(metadata)).IsSuccessStatusCode);
        Assert.True(own.StartupTime < TimeSpan.FromSeconds(10), $"start took {own.StartupTime}");

        await own.DisposeAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(metadata));
    }

    private static async Task<(string ClientId, Uri RedirectUri)> RegisterPublicClientAsync(RawOAuth oauth)
    {
        var redirectUri = new Uri("http://127.0.0.1:40002/callback");
        var registration = await oauth.RegisterAsync(new Dictionary<string, object>
        {
            ["redirect_uris"] = new[] { redirectUri.AbsoluteUri },
            ["grant_types"] = new[] { "authorization_code", "refresh_token" },
            ["response_types"] = new[] { "code" },
            ["token_endpoint_auth_method"] = "none",
            ["application_type"] = "native",
            ["client_name"] = "McpAuth smoke test",
        });
        return (registration.GetProperty("client_id").GetString()!, redirectUri);
    }

    private static async Task<Uri> AuthorizationUrlAsync(RawOAuth oauth, string clientId, Uri redirectUri, string challenge)
    {
        using var query = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["response_type"] = "code", ["client_id"] = clientId, ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["scope"] = "mcp:read mcp:write", ["resource"] = Resource, ["state"] = "state-1",
            ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
        });
        return new Uri($"{await oauth.EndpointAsync("authorization_endpoint")}?{await query.ReadAsStringAsync()}");
    }

    private static async Task<RawTokenResponse> AuthorizeAndRedeemAsync(RawOAuth oauth, string clientId, Uri redirectUri)
    {
        var (verifier, challenge) = RawOAuth.NewPkce();
        using var browser = new HeadlessAuthorization();
        var callback = await browser.AuthorizeAsync(await AuthorizationUrlAsync(oauth, clientId, redirectUri, challenge), redirectUri);
        return await RedeemAsync(oauth, clientId, redirectUri, callback, verifier);
    }

    private static Task<RawTokenResponse> RedeemAsync(RawOAuth oauth, string clientId, Uri redirectUri, Uri callback, string verifier) =>
        oauth.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = clientId, ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["code"] = HeadlessAuthorization.QueryParameter(callback, "code")!, ["code_verifier"] = verifier,
        });

    private static Task<RawTokenResponse> RefreshAsync(RawOAuth oauth, string clientId, string refreshToken) =>
        oauth.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = clientId, ["refresh_token"] = refreshToken,
        });

    private static async Task<bool> IsActiveAsync(RawOAuth oauth, string clientId, string token) =>
        (await oauth.IntrospectAsync(new Dictionary<string, string> { ["token"] = token, ["client_id"] = clientId }))
            .Body.GetProperty("active").GetBoolean();

    private static string[] Strings(JsonElement document, string name) =>
        [.. document.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];
}
