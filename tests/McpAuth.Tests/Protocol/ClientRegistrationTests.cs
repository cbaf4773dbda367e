using System.Text;
using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class ClientRegistrationTests
{
    private static OAuthResponse Json(string body, int status = 200, string type = "application/json") =>
        new(status, type, Encoding.UTF8.GetBytes(body), new Uri("https://as.example.com/.well-known/x"));

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
}
