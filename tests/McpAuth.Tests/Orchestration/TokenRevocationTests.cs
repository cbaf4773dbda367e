using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Storage;

namespace McpAuth.Tests.Orchestration;

/// <summary>
/// Revoking a credential's tokens (RFC 7009 §2): what is sent, what counts as revoked, and RFC 8414 §2
/// revocation_endpoint_auth_methods_supported: which method a client uses at the revocation endpoint.
/// </summary>
public class TokenRevocationTests
{
    private const string Endpoint = "https://as.example.com/revoke";

    /// <summary>
    /// RFC 7009 §2.2: HTTP 200 is success whatever the body (often empty, sometimes not JSON); other 2xx statuses (204
    /// from some servers) count as success too. The refresh token goes first, then the access token.
    /// </summary>
    [Theory]
    [InlineData(200, null, "")]
    [InlineData(200, "application/json", "")]
    [InlineData(200, "application/json", "{}")]
    [InlineData(200, "text/html", "<html>revoked</html>")]
    [InlineData(200, "application/json", "not json")]
    [InlineData(204, null, "")]
    public async Task A_2xx_without_a_json_error_revokes_both_tokens_refresh_token_first(int status, string? mediaType, string body)
    {
        var http = new FakeHttp().On("POST", Endpoint, _ =>
        {
            var response = new HttpResponseMessage((System.Net.HttpStatusCode)status) { Content = new StringContent(body) };
            response.Content.Headers.ContentType = mediaType is null ? null : new(mediaType);
            return response;
        });

        var report = await new TokenRevocation(new OAuthHttpClient(new HttpClient(http)), TimeProvider.System, null).RevokeAsync(
            Credential(), new ClientIdentity("https://as.example.com", "c", null, "none", "dcr"), CancellationToken.None);

        Assert.Equal(new RevocationReport(true, true, RevocationOutcome.Revoked, null), report);
        Assert.Equal(
            [("rt-1", "refresh_token", "c"), ("at-1", "access_token", "c")],
            http.Requests.Select(r => r.Form()).Select(f => (f["token"], f["token_type_hint"], f["client_id"])));
    }

    /// <summary>
    /// RFC 7523 §2.2 at the revocation endpoint (Keycloak): a private_key_jwt client sends a fresh assertion with each
    /// request, its audience the issuer; without a key it cannot authenticate and revokes nothing.
    /// </summary>
    [Fact]
    public async Task A_private_key_jwt_client_signs_an_assertion_for_each_revocation_request()
    {
        var http = new FakeHttp().On("POST", Endpoint, _ => new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        var assertions = new CountingAssertions();
        var client = new ClientIdentity("https://as.example.com", "c", null, "private_key_jwt", "pre-registered");
        var credential = Credential() with { TokenEndpointAuthMethod = "private_key_jwt" };

        var report = await new TokenRevocation(new OAuthHttpClient(new HttpClient(http)), TimeProvider.System, assertions)
            .RevokeAsync(credential, client, CancellationToken.None);
        var withoutKey = await new TokenRevocation(new OAuthHttpClient(new HttpClient(http)), TimeProvider.System, null)
            .RevokeAsync(credential, client, CancellationToken.None);

        Assert.Equal(RevocationOutcome.Revoked, report.Outcome);
        Assert.Equal(["assertion-1", "assertion-2"], http.Requests.Select(r => r.Form()["client_assertion"]));
        Assert.All(http.Requests, r => Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", r.Form()["client_assertion_type"]));
        Assert.Equal(["https://as.example.com", "https://as.example.com"], assertions.Audiences);
        Assert.Equal(RevocationOutcome.NoClientCredentials, withoutKey.Outcome);
        Assert.Equal(2, http.Requests.Count);
    }

    private sealed class CountingAssertions : IClientAssertionFactory
    {
        public List<string> Audiences { get; } = [];

        public string Create(string clientId, string audience, DateTimeOffset now)
        {
            Audiences.Add(audience);
            return "assertion-" + Audiences.Count;
        }
    }

    private static StoredCredential Credential() => new()
    {
        Binding = new CredentialBinding("default", "https://mcp.example.com/", "https://as.example.com", "c"),
        Tokens = new TokenSet { AccessToken = "at-1", RefreshToken = "rt-1", ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(30000) },
        TokenEndpoint = "https://as.example.com/token",
        TokenEndpointAuthMethod = "none",
        RevocationEndpoint = Endpoint,
    };

    [Theory]
    [InlineData("none", null, null, "none")]
    [InlineData("client_secret_basic", "s", null, "client_secret_basic")]
    [InlineData("client_secret_basic", "s", "client_secret_basic,client_secret_post", "client_secret_basic")]
    [InlineData("client_secret_basic", "s", "client_secret_post", "client_secret_post")]
    [InlineData("client_secret_post", "s", "client_secret_basic", "client_secret_basic")]
    [InlineData("none", null, "client_secret_basic,none", "none")]
    [InlineData("client_secret_basic", "s", "none", "none")]
    [InlineData("private_key_jwt", null, "private_key_jwt,client_secret_basic", "private_key_jwt")]
    public void The_token_endpoint_method_is_kept_when_accepted_else_an_advertised_one_the_client_can_perform(
        string tokenMethod, string? secret, string? advertised, string expected)
    {
        var client = new ClientIdentity("https://as.example.com", "c", secret, tokenMethod, "dcr");
        Assert.Equal(expected, TokenRevocation.ChooseMethod(advertised?.Split(','), client));
    }

    [Fact]
    public void A_public_client_at_an_endpoint_that_advertises_only_secrets_keeps_its_method_and_the_server_decides()
    {
        var client = new ClientIdentity("https://as.example.com", "c", null, "none", "dcr");
        Assert.Equal("none", TokenRevocation.ChooseMethod(["client_secret_basic"], client));
    }
}
