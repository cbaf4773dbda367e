using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.IntegrationTests.Smoke;

/// <summary>A server with short-lived access tokens, a confidential machine client and a resource server.</summary>
public sealed class ConfiguredOidcProviderServer() : OidcProviderServer(Config)
{
    public const string MachineSecret = "machine-secret-0123456789";
    public const string ResourceServerSecret = "rs-secret-0123456789";

    public static OidcServerConfig Config { get; } = new()
    {
        AccessTokenTtl = 2,
        Clients =
        [
            new JsonObject
            {
                ["client_id"] = "machine", ["client_secret"] = MachineSecret,
                ["grant_types"] = new JsonArray("client_credentials"), ["response_types"] = new JsonArray(),
                ["redirect_uris"] = new JsonArray(), ["token_endpoint_auth_method"] = "client_secret_basic",
            },
            OidcServerConfig.ResourceServerClient("resource-server", ResourceServerSecret),
        ],
        IntrospectionClients = ["resource-server"],
    };
}

/// <summary>Proves the launcher's configuration reaches oidc-provider: token format, lifetimes, static clients.</summary>
public sealed class OidcProviderConfigSmokeTests(ConfiguredOidcProviderServer server) : IClassFixture<ConfiguredOidcProviderServer>
{
    private const string Resource = "http://localhost:40003/mcp";

    [Fact]
    public async Task ClientCredentials_IssuesAShortLivedTokenForTheResource_ThatTheResourceServerCanIntrospect()
    {
        await server.ResetStatsAsync();
        using var oauth = new RawOAuth(server.Issuer);

        var token = await ClientCredentialsAsync(oauth, Resource);
        Assert.True(token.Status == 200, token.Body.ToString());
        var introspection = await oauth.IntrospectAsync(
            new Dictionary<string, string> { ["token"] = token["access_token"]! }, "resource-server", ConfiguredOidcProviderServer.ResourceServerSecret);

        Assert.Equal(2, token.Body.GetProperty("expires_in").GetInt32());
        Assert.True(introspection.Body.GetProperty("active").GetBoolean(), introspection.Body.ToString());
        Assert.Equal(Resource, introspection["aud"]);
        Assert.Equal("machine", introspection["client_id"]);
        var stats = await server.StatsAsync();
        Assert.Equal(1, stats.TokenRequests("client_credentials"));
        Assert.Equal(1, stats.Introspections);
    }

    [Fact]
    public async Task AResourceOutsideLoopback_IsRefused()
    {
        using var oauth = new RawOAuth(server.Issuer);

        var token = await ClientCredentialsAsync(oauth, "https://mcp.example.com/");

        Assert.Equal(400, token.Status);
        Assert.Equal("invalid_target", token["error"]);
    }

    [Fact]
    public async Task JwtFormat_IssuesASignedJwtWhoseAudienceIsTheResource()
    {
        await using var jwtServer = await OidcProviderServer.StartAsync(ConfiguredOidcProviderServer.Config with { AccessTokenFormat = "jwt" });
        using var oauth = new RawOAuth(jwtServer.Issuer);

        var token = await ClientCredentialsAsync(oauth, Resource);

        Assert.True(token.Status == 200, token.Body.ToString());
        var parts = token["access_token"]!.Split('.');
        Assert.Equal(3, parts.Length);
        using var payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
        Assert.Equal(Resource, payload.RootElement.GetProperty("aud").GetString());
        Assert.Equal(jwtServer.IssuerIdentifier, payload.RootElement.GetProperty("iss").GetString());
        Assert.Equal(2, payload.RootElement.GetProperty("exp").GetInt64() - payload.RootElement.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task StrictClientAuth_RefusesTheSecretInTheBody_AndClientIdNextToBasic_ForABasicClient()
    {
        await server.ResetStatsAsync();
        using var oauth = new RawOAuth(server.Issuer);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "mcp:read", ["resource"] = Resource };

        var secretInBody = await oauth.TokenAsync(new Dictionary<string, string>(form)
        {
            ["client_id"] = "machine", ["client_secret"] = ConfiguredOidcProviderServer.MachineSecret,
        });
        var clientIdNextToBasic = await oauth.TokenAsync(
            new Dictionary<string, string>(form) { ["client_id"] = "machine" }, "machine", ConfiguredOidcProviderServer.MachineSecret);
        var basic = await ClientCredentialsAsync(oauth, Resource);

        Assert.Equal((401, "invalid_client"), (secretInBody.Status, secretInBody["error"]));
        Assert.Equal((400, "invalid_request"), (clientIdNextToBasic.Status, clientIdNextToBasic["error"]));
        Assert.Equal(200, basic.Status);
        var stats = await server.StatsAsync();
        Assert.Equal(2, stats.ClientAuthRejections);
        Assert.Equal(3, stats.TokenRequests("client_credentials"));
    }

    [Fact]
    public async Task Dpop_BindsTheAccessTokenToTheProofKey()
    {
        using var oauth = new RawOAuth(server.Issuer);
        using var key = new RawDpopKey();

        var token = await ClientCredentialsAsync(oauth, Resource, key.Proof("POST", await oauth.EndpointAsync("token_endpoint")));
        var introspection = await oauth.IntrospectAsync(
            new Dictionary<string, string> { ["token"] = token["access_token"]! }, "resource-server", ConfiguredOidcProviderServer.ResourceServerSecret);

        Assert.True(token.Status == 200, token.Body.ToString());
        Assert.Equal("DPoP", token["token_type"]);
        Assert.Equal(key.Thumbprint, introspection.Body.GetProperty("cnf").GetProperty("jkt").GetString());
    }

    [Fact]
    public async Task DpopNonceSecret_MakesTheServerDemandANonce_ThenAcceptTheProofThatCarriesIt()
    {
        await using var nonceServer = await OidcProviderServer.StartAsync(
            ConfiguredOidcProviderServer.Config with { DpopNonceSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) });
        using var oauth = new RawOAuth(nonceServer.Issuer);
        using var key = new RawDpopKey();
        var tokenEndpoint = await oauth.EndpointAsync("token_endpoint");

        var refused = await ClientCredentialsAsync(oauth, Resource, key.Proof("POST", tokenEndpoint));
        var accepted = await ClientCredentialsAsync(oauth, Resource, key.Proof("POST", tokenEndpoint, refused.DpopNonce));

        Assert.Equal(400, refused.Status);
        Assert.Equal("use_dpop_nonce", refused["error"]);
        Assert.NotNull(refused.DpopNonce);
        Assert.True(accepted.Status == 200, accepted.Body.ToString());
        Assert.Equal("DPoP", accepted["token_type"]);
    }

    private static Task<RawTokenResponse> ClientCredentialsAsync(RawOAuth oauth, string resource, string? dpopProof = null) =>
        oauth.TokenAsync(
            new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "mcp:read", ["resource"] = resource },
            "machine", ConfiguredOidcProviderServer.MachineSecret, dpopProof);

    private static string Base64UrlDecode(string value)
    {
        var base64 = value.Replace('-', '+').Replace('_', '/');
        return Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
    }
}
