using System.Text.Json;
using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Tests.Orchestration;

public class ClientIdentityResolverTests
{
    private const string Register = "https://as.example.com/register";

    private static AuthorizationServerMetadata Server(bool cimd = false, IReadOnlyList<string>? methods = null) => new()
    {
        Issuer = "https://as.example.com",
        TokenEndpoint = new Uri("https://as.example.com/token"),
        RegistrationEndpoint = new Uri(Register),
        ClientIdMetadataDocumentSupported = cimd,
        TokenEndpointAuthMethodsSupported = methods,
    };

    private static ClientIdentityResolver Create(FakeHttp http, McpAuthOptions options, TokenVault? vault = null) =>
        new(new OAuthHttpClient(new HttpClient(http)), vault ?? new TokenVault(new InMemoryTokenStore()), options, TimeProvider.System);

    [Fact]
    public async Task A_pre_registered_client_comes_first_with_the_method_the_server_supports()
    {
        var options = new McpAuthOptions
        {
            Client = { PreRegistered = new PreRegisteredClient("pre", "secret"), MetadataDocumentUrl = new Uri("https://client.example/meta.json") },
        };
        var identity = await Create(new FakeHttp(), options).ResolveAsync(Server(cimd: true, methods: ["client_secret_post"]), default);
        Assert.Equal(("pre", "client_secret_post", "preregistered"), (identity.ClientId, identity.TokenEndpointAuthMethod, identity.Source));
    }

    [Fact]
    public async Task A_pre_registered_client_of_another_issuer_is_not_used_there()
    {
        var options = new McpAuthOptions
        {
            Client = { PreRegistered = new PreRegisteredClient("pre", Issuer: "https://other.example.com"), MetadataDocumentUrl = new Uri("https://client.example/meta.json") },
        };
        var identity = await Create(new FakeHttp(), options).ResolveAsync(Server(cimd: true), default);
        Assert.Equal(("https://client.example/meta.json", "cimd"), (identity.ClientId, identity.Source));
    }

    [Fact]
    public async Task Without_cimd_support_the_client_registers_as_a_native_client_with_refresh_and_the_supported_method()
    {
        var http = new FakeHttp().OnJson("POST", Register, """{"client_id":"dcr-1","client_secret":"s","token_endpoint_auth_method":"client_secret_basic"}""", 201);
        var options = new McpAuthOptions { Client = { MetadataDocumentUrl = new Uri("https://client.example/meta.json") } };
        var identity = await Create(http, options).ResolveAsync(Server(methods: ["client_secret_basic"]), default);
        Assert.Equal(("dcr-1", "s", "client_secret_basic"), (identity.ClientId, identity.ClientSecret, identity.TokenEndpointAuthMethod));
        using var body = JsonDocument.Parse(Assert.Single(http.Requests).Body!);
        Assert.Equal("native", body.RootElement.GetProperty("application_type").GetString());
        Assert.Equal("client_secret_basic", body.RootElement.GetProperty("token_endpoint_auth_method").GetString());
        Assert.Contains("refresh_token", body.RootElement.GetProperty("grant_types").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("http://127.0.0.1:33418/callback", body.RootElement.GetProperty("redirect_uris")[0].GetString());
    }

    [Theory]
    [InlineData(400, "application/json", """{"error":"invalid_client_metadata"}""", McpAuthErrorCode.RegistrationFailed)]
    [InlineData(401, "application/json", """{"error":"invalid_token"}""", McpAuthErrorCode.RegistrationFailed)] // Keycloak, anonymous
    [InlineData(403, "text/plain", "Forbidden", McpAuthErrorCode.RegistrationFailed)] // Okta, anonymous
    [InlineData(201, "text/html", "<html>", McpAuthErrorCode.InvalidResponse)]
    [InlineData(201, "application/json", "{]", McpAuthErrorCode.InvalidResponse)]
    [InlineData(201, "application/json", """{"client_secret":"s"}""", McpAuthErrorCode.InvalidResponse)]
    [InlineData(503, "text/plain", "down", McpAuthErrorCode.TemporarilyUnavailable)]
    public async Task Registration_failures_are_typed_and_nothing_is_stored(int status, string type, string body, McpAuthErrorCode code)
    {
        var http = new FakeHttp().On("POST", Register, _ =>
            new HttpResponseMessage((System.Net.HttpStatusCode)status) { Content = new StringContent(body, System.Text.Encoding.UTF8, type) });
        var vault = new TokenVault(new InMemoryTokenStore());
        var e = await Assert.ThrowsAsync<McpAuthException>(() => Create(http, new McpAuthOptions(), vault).ResolveAsync(Server(), default));
        Assert.Equal(code, e.Code);
        Assert.Null(await vault.GetRegistrationAsync("https://as.example.com", "http://127.0.0.1:33418/callback", default));
    }

    [Fact]
    public async Task Without_any_way_to_identify_the_client_the_error_says_so()
    {
        var server = Server() with { RegistrationEndpoint = null };
        var e = await Assert.ThrowsAsync<McpAuthException>(() => Create(new FakeHttp(), new McpAuthOptions()).ResolveAsync(server, default));
        Assert.Equal(McpAuthErrorCode.NoClientIdentity, e.Code);
    }
}
