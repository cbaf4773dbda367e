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

    // The one callback parser of every surface (engine, DI, the CLI's listener and paste), with the vectors of both
    // former parsers; the strict one kept (RFC 6749 §3.1).

    [Fact]
    public void Reads_code_state_and_iss_percent_decoded()
    {
        var callback = AuthorizationResponse.Parse(new Uri("http://127.0.0.1:5/callback?code=a%2Bb&state=xyz&iss=https%3A%2F%2Fas.example"));

        Assert.Equal("a+b", callback.Code);
        Assert.Equal("xyz", callback.State);
        Assert.Equal("https://as.example", callback.Issuer);
        Assert.False(callback.IsError);
        Assert.DoesNotContain("a+b", callback.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("xyz", callback.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_an_error_response_with_its_description_and_uri()
    {
        var callback = AuthorizationResponse.Parse(new Uri(
            "http://127.0.0.1:5/callback?error=access_denied&error_description=the+user+said+no&error_uri=https%3A%2F%2Fas.example%2Ferr&state=s"));

        Assert.True(callback.IsError);
        Assert.Equal("access_denied", callback.Error);
        Assert.Equal("the user said no", callback.ErrorDescription);
        Assert.Equal("https://as.example/err", callback.ErrorUri);
        Assert.Null(callback.Code);
    }

    [Theory]
    [InlineData("code=a&code=b&state=s")]
    [InlineData("code=a&state=s&state=t")]
    [InlineData("code=a&state=s&state=s")]
    [InlineData("code=a&state=s&iss=x&iss=x")]
    [InlineData("error=a&error=b&state=s")]
    [InlineData("error=a&state=s&error_description=x&error_description=y")]
    public void A_repeated_parameter_makes_the_response_invalid(string query)
    {
        var url = new Uri("http://127.0.0.1:5/callback?" + query);
        Assert.Equal(McpAuthErrorCode.InvalidResponse, Assert.Throws<McpAuthException>(() => AuthorizationResponse.Parse(url)).Code);
        Assert.False(AuthorizationResponse.TryParse(url, out _));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5/callback?code=c")]
    [InlineData("http://127.0.0.1:5/callback?state=s")]
    [InlineData("http://127.0.0.1:5/callback?state=&code=c")]
    [InlineData("http://127.0.0.1:5/callback?state=s&code=")]
    [InlineData("http://127.0.0.1:5/callback")]
    [InlineData("http://127.0.0.1:5/callback#code=c&state=s")]
    public void What_is_not_an_authorization_response_is_refused_by_try_parse(string url) =>
        Assert.False(AuthorizationResponse.TryParse(new Uri(url), out _));

    [Fact]
    public void The_fragment_is_not_read()
    {
        Assert.True(AuthorizationResponse.TryParse(new Uri("http://127.0.0.1:5/callback?code=c&state=s#code=other"), out var callback));
        Assert.Equal("c", callback.Code);
        Assert.Equal("s", callback.State);
    }

    [Theory]
    [InlineData("?code=c&state=s")]
    [InlineData("/callback?code=c&state=s#ignored")]
    [InlineData("code=c&state=s")]
    public void A_relative_callback_reads_its_query(string reference)
    {
        var callback = AuthorizationResponse.Parse(new Uri(reference, UriKind.Relative));
        Assert.Equal("c", callback.Code);
        Assert.Equal("s", callback.State);
    }

    [Fact]
    public void Iss_is_compared_as_a_simple_string_rfc_9207()
    {
        // RFC 9207 §2.4: no normalization; a different case or a trailing slash is another issuer.
        foreach (var iss in new[] { "https%3A%2F%2FAS.example.com", "https%3A%2F%2Fas.example.com%2F" })
        {
            Assert.Equal(McpAuthErrorCode.AuthorizationResponseIssuerMismatch,
                Assert.Throws<McpAuthException>(() => Validate($"code=c&state=s1&iss={iss}")).Code);
        }
    }

    [Fact]
    public void An_error_response_with_a_wrong_iss_is_an_issuer_mismatch_first() =>
        Assert.Equal(McpAuthErrorCode.AuthorizationResponseIssuerMismatch,
            Assert.Throws<McpAuthException>(() => Validate("error=access_denied&state=s1&iss=https%3A%2F%2Fevil.example")).Code);
}
