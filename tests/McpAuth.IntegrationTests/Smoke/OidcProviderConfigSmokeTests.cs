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

    private static Task<RawTokenResponse> ClientCredentialsAsync(RawOAuth oauth, string resource) =>
        oauth.TokenAsync(
            new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "mcp:read", ["resource"] = resource },
            "machine", ConfiguredOidcProviderServer.MachineSecret);

    private static string Base64UrlDecode(string value)
    {
        var base64 = value.Replace('-', '+').Replace('_', '/');
        return Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
    }
}
