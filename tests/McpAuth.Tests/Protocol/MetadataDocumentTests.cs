using System.Text;
using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class MetadataDocumentTests
{
    private static OAuthResponse Json(string body, int status = 200, string type = "application/json") =>
        new(status, type, Encoding.UTF8.GetBytes(body), new Uri("https://as.example.com/.well-known/x"));

    [Fact]
    public void Authorization_server_metadata_reads_and_ignores_unknown_members()
    {
        var m = AuthorizationServerMetadata.Read(Json("""
            {"issuer":"https://as.example.com","token_endpoint":"https://as.example.com/token","authorization_endpoint":"https://as.example.com/a",
             "code_challenge_methods_supported":["S256"],"authorization_response_iss_parameter_supported":true,"x_unknown":{"deep":[1]}}
            """), "https://as.example.com");
        Assert.True(m.SupportsS256);
        Assert.True(m.AuthorizationResponseIssParameterSupported);
        Assert.Equal("https://as.example.com/token", m.TokenEndpoint.ToString());
    }

    [Theory]
    [InlineData("""{"issuer":"https://attacker.example.com","token_endpoint":"https://as.example.com/t"}""", McpAuthErrorCode.IssuerMismatch)]
    [InlineData("""{"issuer":"https://as.example.com/","token_endpoint":"https://as.example.com/t"}""", McpAuthErrorCode.IssuerMismatch)]
    [InlineData("""{"issuer":"https://as.example.com"}""", McpAuthErrorCode.InvalidResponse)]
    [InlineData("""{"issuer":"https://as.example.com","token_endpoint":42}""", McpAuthErrorCode.InvalidResponse)]
    [InlineData("""not json""", McpAuthErrorCode.InvalidResponse)]
    public void Authorization_server_metadata_failures(string body, McpAuthErrorCode code)
    {
        var e = Assert.Throws<McpAuthException>(() => AuthorizationServerMetadata.Read(Json(body), "https://as.example.com"));
        Assert.Equal(code, e.Code);
        Assert.NotNull(e.Endpoint);
    }

    [Fact]
    public void Wrong_content_type_and_error_status_are_refused()
    {
        Assert.Equal(McpAuthErrorCode.InvalidResponse, Assert.Throws<McpAuthException>(() =>
            ProtectedResourceMetadata.Read(Json("""{"resource":"x"}""", type: "text/html"))).Code);
        Assert.Equal(McpAuthErrorCode.TemporarilyUnavailable, Assert.Throws<McpAuthException>(() =>
            ProtectedResourceMetadata.Read(Json("oops", status: 503, type: "text/plain"))).Code);
    }

    [Fact]
    public void Protected_resource_metadata_keeps_the_resource_verbatim()
    {
        var m = ProtectedResourceMetadata.Read(Json("""{"resource":"http://localhost:3000","authorization_servers":["http://localhost:4000"],"scopes_supported":["a"]}"""));
        Assert.Equal("http://localhost:3000", m.Resource);
        Assert.Equal(["http://localhost:4000"], m.AuthorizationServers);
        Assert.Equal(["a"], m.ScopesSupported!);
    }

    [Fact]
    public void Registration_response_and_error()
    {
        var ok = ClientRegistration.Read(Json("""{"client_id":"c","client_secret":"s","client_secret_expires_at":0}""", 201));
        Assert.Equal("c", ok.ClientId);
        Assert.Null(ok.ClientSecretExpiresAt);
        Assert.DoesNotContain("\"s\"", ok.ToString(), StringComparison.Ordinal);
        var e = Assert.Throws<McpAuthException>(() => ClientRegistration.Read(Json("""{"error":"invalid_redirect_uri"}""", 400)));
        Assert.Equal(McpAuthErrorCode.RegistrationFailed, e.Code);
        Assert.Equal("invalid_redirect_uri", e.OAuthError);
    }

    [Fact]
    public void Registration_body_declares_native_application_and_refresh_grant()
    {
        var body = Encoding.UTF8.GetString(ClientRegistration.BuildBody(
            new ClientRegistrationRequest([new Uri("http://127.0.0.1:4000/callback")], "none", "McpAuth")));
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal("native", doc.RootElement.GetProperty("application_type").GetString());
        Assert.Contains("refresh_token", doc.RootElement.GetProperty("grant_types").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("http://127.0.0.1:4000/callback", doc.RootElement.GetProperty("redirect_uris")[0].GetString());
    }

    [Fact]
    public void Token_response_keeps_the_old_refresh_token_when_omitted()
    {
        var r = TokenEndpointMessages.Read(Json("""{"access_token":"at","token_type":"Bearer","expires_in":"60"}"""));
        var set = r.ToTokenSet(DateTimeOffset.UnixEpoch, "old-rt", "a b");
        Assert.Equal("old-rt", set.RefreshToken);
        Assert.Equal("a b", set.Scope);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(60), set.ExpiresAt);
        Assert.DoesNotContain("at", r.ToString().Replace("TokenType", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, """{"error":"invalid_grant"}""", McpAuthErrorCode.InvalidGrant)]
    [InlineData(200, """{"error":"invalid_refresh_token"}""", McpAuthErrorCode.InvalidGrant)]
    [InlineData(401, """{"error":"invalid_client"}""", McpAuthErrorCode.InvalidClient)]
    [InlineData(200, """{"token_type":"Bearer"}""", McpAuthErrorCode.InvalidResponse)]
    public void Token_response_errors(int status, string body, McpAuthErrorCode code) =>
        Assert.Equal(code, Assert.Throws<McpAuthException>(() => TokenEndpointMessages.Read(Json(body, status))).Code);
}
