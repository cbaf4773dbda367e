using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class WwwAuthenticateTests
{
    [Fact]
    public void Quoted_values_keep_their_commas_and_escapes()
    {
        var c = Assert.Single(WwwAuthenticate.Parse(
            "Bearer error=\"insufficient_scope\", scope=\"a b\", error_description=\"needs a, b and \\\"c\\\"\""));
        Assert.Equal("insufficient_scope", c.Error);
        Assert.Equal("a b", c.Scope);
        Assert.Equal("needs a, b and \"c\"", c.ErrorDescription);
    }

    [Fact]
    public void Several_challenges_in_one_value()
    {
        var challenges = WwwAuthenticate.Parse(
            "DPoP algs=\"ES256 RS256\", error=\"use_dpop_nonce\", Bearer realm=\"x\", resource_metadata=\"https://r.example/.well-known/oauth-protected-resource\"");
        Assert.Equal(2, challenges.Count);
        Assert.True(challenges[0].IsScheme("dpop"));
        Assert.Equal(["ES256", "RS256"], challenges[0].DPoPAlgorithms);
        Assert.True(challenges[1].IsScheme("Bearer"));
        Assert.Equal("https://r.example/.well-known/oauth-protected-resource", challenges[1].ResourceMetadata!.ToString());
    }

    [Fact]
    public void Challenges_over_several_header_lines_and_bare_schemes()
    {
        var challenges = WwwAuthenticate.Parse(["Basic", "Bearer scope=read"]);
        Assert.Equal(["Basic", "Bearer"], challenges.Select(c => c.Scheme));
        Assert.Equal("read", challenges[1].Scope);
    }

    [Fact]
    public void Token68_and_case_insensitive_parameter_names()
    {
        var challenges = WwwAuthenticate.Parse("Negotiate abc123==, Bearer ERROR=invalid_token");
        Assert.Equal("abc123==", challenges[0].Token68);
        Assert.Equal("invalid_token", challenges[1].Error);
    }

    [Theory]
    [InlineData("Bearer scope=\"unterminated")]
    [InlineData("Bearer =x")]
    [InlineData("Bearer a=b c=d")]
    public void Malformed_values_are_typed_errors(string value)
    {
        var e = Assert.Throws<McpAuthException>(() => WwwAuthenticate.Parse(value));
        Assert.Equal(McpAuthErrorCode.InvalidChallenge, e.Code);
        Assert.Null(WwwAuthenticate.TryParse([value]));
    }

    [Fact]
    public void Relative_resource_metadata_is_ignored()
    {
        var c = Assert.Single(WwwAuthenticate.Parse("Bearer resource_metadata=\"/relative\""));
        Assert.Null(c.ResourceMetadata);
    }
}
