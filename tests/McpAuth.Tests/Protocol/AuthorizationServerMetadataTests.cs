using System.Text;
using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class AuthorizationServerMetadataTests
{
    private static OAuthResponse Json(string body, int status = 200, string type = "application/json") =>
        new(status, type, Encoding.UTF8.GetBytes(body), new Uri("https://as.example.com/.well-known/x"));

    [Fact]
    public void RFC8414_section_3_1_path_insertion_then_OpenID_forms()
    {
        var uris = AuthorizationServerMetadata.DiscoveryUris("https://example.com/issuer1");
        Assert.Equal(
        [
            "https://example.com/.well-known/oauth-authorization-server/issuer1",
            "https://example.com/.well-known/openid-configuration/issuer1",
            "https://example.com/issuer1/.well-known/openid-configuration",
        ], uris.Select(u => u.ToString()));
    }

    [Fact]
    public void Issuer_without_path_uses_the_two_root_documents()
    {
        var uris = AuthorizationServerMetadata.DiscoveryUris("https://example.com");
        Assert.Equal(["https://example.com/.well-known/oauth-authorization-server", "https://example.com/.well-known/openid-configuration"],
            uris.Select(u => u.ToString()));
    }

    [Theory]
    [InlineData("https://example.com/?q=1")]
    [InlineData("relative/issuer")]
    public void Issuers_with_query_or_not_absolute_are_refused(string issuer) =>
        Assert.Throws<ArgumentException>(() => AuthorizationServerMetadata.DiscoveryUris(issuer));

    [Fact]
    public void Fallback_uses_the_default_endpoints_at_the_origin()
    {
        var metadata = AuthorizationServerMetadata.Fallback(new Uri("http://localhost:7000/mcp"));
        Assert.Equal("http://localhost:7000/authorize", metadata.AuthorizationEndpoint!.ToString());
        Assert.Equal("http://localhost:7000/token", metadata.TokenEndpoint.ToString());
        Assert.Equal("http://localhost:7000/register", metadata.RegistrationEndpoint!.ToString());
        Assert.True(metadata.SupportsS256);
    }

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
}
