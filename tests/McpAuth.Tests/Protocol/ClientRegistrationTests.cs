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

    [Theory]
    [InlineData("""{"client_id":"c","registration_client_uri":"https://as.example.com/reg/c","registration_access_token":"rat-SECRET"}""", true)]
    [InlineData("""{"client_id":"c","registration_client_uri":"https://as.example.com/reg/c"}""", false)]
    [InlineData("""{"client_id":"c","registration_access_token":"rat-SECRET"}""", false)]
    [InlineData("""{"client_id":"c","registration_client_uri":"file:///etc/passwd","registration_access_token":"rat-SECRET"}""", false)]
    [InlineData("""{"client_id":"c","registration_client_uri":"https://as.example.com/reg/c","registration_access_token":""}""", false)]
    public void Registration_management_members_are_kept_only_as_a_usable_pair(string body, bool manageable)
    {
        var read = ClientRegistration.Read(Json(body, 201));
        Assert.Equal("c", read.ClientId);
        Assert.Equal(manageable, read.RegistrationClientUri is not null);
        Assert.Equal(manageable, read.RegistrationAccessToken is not null);
        Assert.DoesNotContain("rat-SECRET", read.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(204, true)]
    [InlineData(200, true)]
    [InlineData(401, false)]
    [InlineData(500, false)]
    public void Deleting_a_registration_succeeds_on_2xx_only(int status, bool succeeds)
    {
        var response = new OAuthResponse(status, null, ReadOnlyMemory<byte>.Empty, new Uri("https://as.example.com/reg/c"));
        if (succeeds)
        {
            ClientRegistration.ReadDeleteResponse(response);
        }
        else
        {
            Assert.Throws<McpAuthException>(() => ClientRegistration.ReadDeleteResponse(response));
        }
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
