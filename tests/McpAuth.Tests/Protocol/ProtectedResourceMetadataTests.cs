using System.Text;
using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class ProtectedResourceMetadataTests
{
    private static OAuthResponse Json(string body, int status = 200, string type = "application/json") =>
        new(status, type, Encoding.UTF8.GetBytes(body), new Uri("https://as.example.com/.well-known/x"));

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
}
