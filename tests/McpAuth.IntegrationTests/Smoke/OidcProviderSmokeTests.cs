using System.Net.Http;
using System.Text.Json;
using McpAuth.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace McpAuth.IntegrationTests.Smoke;

/// <summary>Proves the oidc-provider fixture is a real authorization server with the behaviour tests rely on.</summary>
public sealed class OidcProviderSmokeTests(OidcProviderServer server, ITestOutputHelper output) : IClassFixture<OidcProviderServer>
{
    private const string Resource = "http://127.0.0.1:40001/mcp";
    private static readonly Uri RedirectUri = new("http://127.0.0.1:40002/callback");

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
        var clientId = await oauth.RegisterPublicClientAsync(RedirectUri);

        var first = await AuthorizeAndRedeemAsync(oauth, clientId);
        Assert.Equal(200, first.Status);
        Assert.Equal("mcp:read mcp:write", first["scope"]);
        var second = await oauth.RefreshAsync(clientId, first["refresh_token"]!);
        var third = await oauth.RefreshAsync(clientId, second["refresh_token"]!);
        Assert.Equal(200, second.Status);
        Assert.Equal(200, third.Status);
        Assert.NotEqual(first["refresh_token"], second["refresh_token"]);
        Assert.NotEqual(second["refresh_token"], third["refresh_token"]);
        Assert.True(await oauth.IsActiveAsync(clientId, third["refresh_token"]!));

        var replay = await oauth.RefreshAsync(clientId, first["refresh_token"]!);

        Assert.Equal(400, replay.Status);
        Assert.Equal("invalid_grant", replay["error"]);
        Assert.False(await oauth.IsActiveAsync(clientId, third["refresh_token"]!));
        Assert.False(await oauth.IsActiveAsync(clientId, third["access_token"]!));
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
        var clientId = await oauth.RegisterPublicClientAsync(RedirectUri);
        var (verifier, challenge) = RawOAuth.NewPkce();
        using var browser = new HeadlessAuthorization();

        var callback = await browser.AuthorizeAsync(
            await oauth.AuthorizationUrlAsync(clientId, RedirectUri, challenge, "mcp:read mcp:write", Resource, "state-1"), RedirectUri);
        var tokens = await oauth.RedeemCodeAsync(clientId, RedirectUri, callback, verifier);
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
        var clientId = await oauth.RegisterPublicClientAsync(RedirectUri);
        var tokens = await AuthorizeAndRedeemAsync(oauth, clientId);

        var status = await oauth.RevokeAsync(new Dictionary<string, string>
        {
            ["token"] = tokens["refresh_token"]!, ["token_type_hint"] = "refresh_token", ["client_id"] = clientId,
        });

        Assert.Equal(200, status);
        Assert.False(await oauth.IsActiveAsync(clientId, tokens["refresh_token"]!));
        Assert.Equal("invalid_grant", (await oauth.RefreshAsync(clientId, tokens["refresh_token"]!))["error"]);
        Assert.Equal(1, (await server.StatsAsync()).Revocations);
    }

    [Fact]
    public async Task DeviceAuthorization_ApprovedHeadlessly_IssuesTokensWithARefreshToken()
    {
        using var oauth = new RawOAuth(server.Issuer);
        var client = await oauth.RegisterAsync(new Dictionary<string, object>
        {
            ["grant_types"] = new[] { "urn:ietf:params:oauth:grant-type:device_code", "refresh_token" },
            ["response_types"] = Array.Empty<string>(), ["redirect_uris"] = Array.Empty<string>(),
            ["token_endpoint_auth_method"] = "none", ["application_type"] = "native",
        });
        var clientId = client.GetProperty("client_id").GetString()!;
        var device = await oauth.PostFormAsync(await oauth.EndpointAsync("device_authorization_endpoint"), new Dictionary<string, string>
        {
            ["client_id"] = clientId, ["scope"] = "mcp:read", ["resource"] = Resource,
        });
        var deviceCodeGrant = new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code", ["device_code"] = device["device_code"]!, ["client_id"] = clientId,
        };
        var pending = await oauth.TokenAsync(deviceCodeGrant);
        using var user = new HeadlessAuthorization();

        var page = await user.ApproveDeviceCodeAsync(new Uri(device["verification_uri_complete"]!));
        var tokens = await oauth.TokenAsync(deviceCodeGrant);

        Assert.Equal("authorization_pending", pending["error"]);
        Assert.Contains("Sign-in Success", page, StringComparison.Ordinal);
        Assert.True(tokens.Status == 200, tokens.Body.ToString());
        Assert.Equal("mcp:read", tokens["scope"]);
        Assert.NotNull(tokens["refresh_token"]);
    }

    [Fact]
    public async Task ForgetClient_MakesTheNextRefreshFailWithInvalidClient()
    {
        using var oauth = new RawOAuth(server.Issuer);
        var clientId = await oauth.RegisterPublicClientAsync(RedirectUri);
        var tokens = await AuthorizeAndRedeemAsync(oauth, clientId);

        await server.ForgetClientAsync(clientId);
        var refresh = await oauth.RefreshAsync(clientId, tokens["refresh_token"]!);

        Assert.Equal(200, tokens.Status);
        Assert.Equal((401, "invalid_client"), (refresh.Status, refresh["error"]));
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

    private static async Task<RawTokenResponse> AuthorizeAndRedeemAsync(RawOAuth oauth, string clientId)
    {
        var (verifier, challenge) = RawOAuth.NewPkce();
        using var browser = new HeadlessAuthorization();
        var url = await oauth.AuthorizationUrlAsync(clientId, RedirectUri, challenge, "mcp:read mcp:write", Resource, "state-1");
        return await oauth.RedeemCodeAsync(clientId, RedirectUri, await browser.AuthorizeAsync(url, RedirectUri), verifier);
    }

    private static string[] Strings(JsonElement document, string name) =>
        [.. document.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];
}
