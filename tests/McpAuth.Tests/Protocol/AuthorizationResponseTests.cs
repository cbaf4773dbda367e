using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class AuthorizationResponseTests
{
    private const string Issuer = "https://as.example.com";

    private static string Validate(string query, bool required = false) =>
        AuthorizationResponse.Validate(AuthorizationResponse.Parse(new Uri("http://127.0.0.1:1/callback?" + query)), "s1", Issuer, required);

    [Fact]
    public void Matching_state_and_iss_give_the_code() =>
        Assert.Equal("c 1", Validate("code=c+1&state=s1&iss=https%3A%2F%2Fas.example.com", required: true));

    [Fact]
    public void Absent_iss_is_accepted_when_not_advertised() => Assert.Equal("c", Validate("code=c&state=s1"));

    [Theory]
    [InlineData("code=c&state=other", McpAuthErrorCode.StateMismatch)]
    [InlineData("code=c", McpAuthErrorCode.StateMismatch)]
    [InlineData("code=c&state=s1&iss=https%3A%2F%2Fevil.example.com", McpAuthErrorCode.AuthorizationResponseIssuerMismatch)]
    [InlineData("code=c&state=s1&iss=https%3A%2F%2Fas.example.com%2F", McpAuthErrorCode.AuthorizationResponseIssuerMismatch)]
    [InlineData("error=access_denied&state=s1", McpAuthErrorCode.AuthorizationDenied)]
    [InlineData("state=s1", McpAuthErrorCode.MissingAuthorizationCode)]
    [InlineData("code=a&code=b&state=s1", McpAuthErrorCode.InvalidResponse)]
    public void Failures_are_typed(string query, McpAuthErrorCode code) =>
        Assert.Equal(code, Assert.Throws<McpAuthException>(() => Validate(query)).Code);

    [Fact]
    public void Missing_iss_is_refused_when_advertised() =>
        Assert.Equal(McpAuthErrorCode.AuthorizationResponseIssuerMismatch,
            Assert.Throws<McpAuthException>(() => Validate("code=c&state=s1", required: true)).Code);

    [Fact]
    public void Error_response_carries_the_server_error_in_properties_not_the_message()
    {
        var e = Assert.Throws<McpAuthException>(() => Validate("error=access_denied&error_description=secret+text&state=s1"));
        Assert.Equal("access_denied", e.OAuthError);
        Assert.Equal("secret text", e.OAuthErrorDescription);
        Assert.DoesNotContain("secret text", e.Message, StringComparison.Ordinal);
    }
}
