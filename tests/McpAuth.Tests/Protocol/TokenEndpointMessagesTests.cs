using System.Text;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Tests.Protocol;

public class TokenEndpointMessagesTests
{
    private static OAuthResponse Json(string body, int status = 200, string type = "application/json") =>
        new(status, type, Encoding.UTF8.GetBytes(body), new Uri("https://as.example.com/.well-known/x"));

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
    [InlineData("60", 60)]
    [InlineData("0", null)]
    [InlineData(null, null)]
    public void The_response_gives_its_expiry_from_when_it_was_received(string? expiresIn, int? seconds)
    {
        var member = expiresIn is null ? "" : $",\"expires_in\":{expiresIn}";
        var r = TokenEndpointMessages.Read(Json($$"""{"access_token":"at","token_type":"Bearer"{{member}}}"""));
        Assert.Equal(seconds is { } s ? DateTimeOffset.UnixEpoch.AddSeconds(s) : null, r.ExpiresAt(DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData(400, """{"error":"invalid_grant"}""", McpAuthErrorCode.InvalidGrant)]
    [InlineData(200, """{"error":"invalid_refresh_token"}""", McpAuthErrorCode.InvalidGrant)]
    [InlineData(401, """{"error":"invalid_client"}""", McpAuthErrorCode.InvalidClient)]
    [InlineData(200, """{"token_type":"Bearer"}""", McpAuthErrorCode.InvalidResponse)]
    public void Token_response_errors(int status, string body, McpAuthErrorCode code) =>
        Assert.Equal(code, Assert.Throws<McpAuthException>(() => TokenEndpointMessages.Read(Json(body, status))).Code);
}
