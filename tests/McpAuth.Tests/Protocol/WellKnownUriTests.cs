using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class WellKnownUriTests
{
    [Fact]
    public void RFC9728_path_inserted_then_root()
    {
        var uris = ProtectedResourceMetadata.WellKnownUris(new Uri("https://resource.example.com/resource1"));
        Assert.Equal(["https://resource.example.com/.well-known/oauth-protected-resource/resource1",
            "https://resource.example.com/.well-known/oauth-protected-resource"], uris.Select(u => u.ToString()));
    }

    [Fact]
    public void RFC9728_root_only_for_a_bare_origin()
    {
        var uris = ProtectedResourceMetadata.WellKnownUris(new Uri("http://localhost:9000/"));
        Assert.Equal(["http://localhost:9000/.well-known/oauth-protected-resource"], uris.Select(u => u.ToString()));
    }

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
}
