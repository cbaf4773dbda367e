using McpAuth.Engine;
using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Providers;

/// <summary>The protocol builders and readers the provider options feed: extra parameters, audience, issuer pin, scope.</summary>
public class RequestQuirksTests
{
    private static AuthorizationRequestParameters Parameters(IReadOnlyDictionary<string, string>? extra) => new()
    {
        ClientId = "c", RedirectUri = new Uri("http://127.0.0.1:1/cb"), State = "s", CodeChallenge = "ch", Extra = extra,
    };

    [Fact]
    public void Google_extra_parameters_are_appended_to_the_authorization_request()
    {
        var url = AuthorizationRequest.BuildUri(new Uri("https://accounts.google.com/o/oauth2/v2/auth"),
            Parameters(new Dictionary<string, string> { ["access_type"] = "offline", ["prompt"] = "consent" }));

        Assert.Contains("&access_type=offline&prompt=consent", url.Query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redirect_uri")]
    [InlineData("state")]
    [InlineData("code_challenge_method")]
    [InlineData("resource")]
    [InlineData("request_uri")]
    public void An_extra_parameter_never_replaces_one_the_protocol_sets(string name)
    {
        Assert.Throws<ArgumentException>(() => AuthorizationRequest.BuildUri(new Uri("https://as.example.com/authorize"),
            Parameters(new Dictionary<string, string> { [name] = "evil" })));
    }

    [Fact]
    public void Auth0_audience_goes_on_the_code_exchange_and_client_credentials_only_when_given()
    {
        var code = ToDictionary(TokenEndpointMessages.AuthorizationCode("c", new Uri("http://127.0.0.1:1/cb"), "v", null, "https://api.example.com"));
        var credentials = ToDictionary(TokenEndpointMessages.ClientCredentials(null, "https://mcp.example.com", "https://api.example.com"));
        var plain = ToDictionary(TokenEndpointMessages.AuthorizationCode("c", new Uri("http://127.0.0.1:1/cb"), "v", null));

        Assert.Equal("https://api.example.com", code["audience"]);
        Assert.False(code.ContainsKey("resource"));
        Assert.Equal("https://api.example.com", credentials["audience"]);
        Assert.False(plain.ContainsKey("audience"));
    }

    private const string GoogleMetadata = """
        {"issuer":"https://accounts.google.com","authorization_endpoint":"https://accounts.google.com/o/oauth2/v2/auth",
         "token_endpoint":"https://oauth2.googleapis.com/token","code_challenge_methods_supported":["plain","S256"]}
        """;

    [Fact]
    public void An_issuer_spelled_with_a_trailing_slash_is_refused_naming_both_spellings_and_the_option()
    {
        var e = Assert.Throws<McpAuthException>(() => AuthorizationServerMetadata.Read(Json(200, GoogleMetadata), "https://accounts.google.com/"));

        Assert.Equal(McpAuthErrorCode.IssuerMismatch, e.Code);
        Assert.Contains("'https://accounts.google.com'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'https://accounts.google.com/'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Authorization.TrustedIssuer", e.Hint, StringComparison.Ordinal);
        Assert.Contains(e.Hint!, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pinned_issuer_is_accepted_and_any_other_still_refused()
    {
        var metadata = AuthorizationServerMetadata.Read(Json(200, GoogleMetadata), "https://accounts.google.com/", "https://accounts.google.com");
        var other = Assert.Throws<McpAuthException>(() =>
            AuthorizationServerMetadata.Read(Json(200, GoogleMetadata), "https://accounts.google.com/", "https://slack.com"));

        Assert.Equal("https://accounts.google.com", metadata.Issuer);
        Assert.Equal(McpAuthErrorCode.IssuerMismatch, other.Code);
    }

    [Fact]
    public void An_unprintable_issuer_is_not_echoed()
    {
        var e = Assert.Throws<McpAuthException>(() => AuthorizationServerMetadata.Read(
            Json(200, """{"issuer":"https://evil.example.com/\u001b[31m","token_endpoint":"https://evil.example.com/t"}"""), "https://as.example.com"));

        Assert.Contains("(unprintable issuer)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "offline_access")]
    [InlineData(false, null)]
    public void Offline_access_is_asked_for_when_nothing_else_names_a_scope(bool listed, string? expected)
    {
        Assert.Equal(expected, ScopeSelection.Select(null, null, listed ? ["openid", "offline_access"] : ["openid"], wantRefreshToken: true));
        Assert.Null(ScopeSelection.Select(null, null, ["offline_access"], wantRefreshToken: false));
    }
}
