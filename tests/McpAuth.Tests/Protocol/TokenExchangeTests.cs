using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

public sealed class TokenExchangeTests
{
    [Fact]
    public void TokenTypeUrisAreTheRegisteredOnes()
    {
        Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", TokenExchange.GrantType);
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", TokenExchange.AccessTokenType);
        Assert.Equal("urn:ietf:params:oauth:token-type:refresh_token", TokenExchange.RefreshTokenType);
        Assert.Equal("urn:ietf:params:oauth:token-type:id_token", TokenExchange.IdTokenType);
        Assert.Equal("urn:ietf:params:oauth:token-type:jwt", TokenExchange.JwtTokenType);
        Assert.Equal("urn:ietf:params:oauth:token-type:id-jag", TokenExchange.IdJagTokenType);
    }

    /// <summary>RFC 8693 §2.3 example request, plus the ID-JAG shape (audience = the MCP authorization server).</summary>
    [Fact]
    public void FullRequestHasEveryParameter()
    {
        var request = new TokenExchangeRequest("id-token", TokenExchange.IdTokenType,
            ActorToken: "actor", ActorTokenType: TokenExchange.AccessTokenType,
            RequestedTokenType: TokenExchange.IdJagTokenType, Audience: "https://as.mcp.example",
            Resource: "https://mcp.example/mcp", Scope: "read write");

        var map = ToDictionary(TokenExchange.BuildParameters(request));

        Assert.Equal(9, map.Count);
        Assert.Equal(TokenExchange.GrantType, map["grant_type"]);
        Assert.Equal("id-token", map["subject_token"]);
        Assert.Equal(TokenExchange.IdTokenType, map["subject_token_type"]);
        Assert.Equal("actor", map["actor_token"]);
        Assert.Equal(TokenExchange.AccessTokenType, map["actor_token_type"]);
        Assert.Equal(TokenExchange.IdJagTokenType, map["requested_token_type"]);
        Assert.Equal("https://as.mcp.example", map["audience"]);
        Assert.Equal("https://mcp.example/mcp", map["resource"]);
        Assert.Equal("read write", map["scope"]);
    }

    [Fact]
    public void MinimalRequestHasOnlyGrantTypeAndSubject()
    {
        var parameters = TokenExchange.BuildParameters(new TokenExchangeRequest("tok", TokenExchange.AccessTokenType));

        Assert.Equal(["grant_type", "subject_token", "subject_token_type"], parameters.Select(p => p.Key));
    }

    [Theory]
    [InlineData("actor", null)]
    [InlineData(null, "urn:ietf:params:oauth:token-type:jwt")]
    public void ActorTokenAndTypeGoTogether(string? actorToken, string? actorTokenType)
    {
        var request = new TokenExchangeRequest("tok", TokenExchange.AccessTokenType, actorToken, actorTokenType);

        var error = Assert.Throws<McpAuthException>(() => TokenExchange.BuildParameters(request));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
    }

    [Fact]
    public void EmptySubjectIsRefused()
    {
        Assert.Throws<ArgumentException>(() => TokenExchange.BuildParameters(new TokenExchangeRequest("", TokenExchange.JwtTokenType)));
        Assert.Throws<ArgumentException>(() => TokenExchange.BuildParameters(new TokenExchangeRequest("t", "")));
    }

    [Fact]
    public void ToStringHidesTokens()
    {
        var request = new TokenExchangeRequest("subject-secret", TokenExchange.IdTokenType, "actor-secret", TokenExchange.JwtTokenType, Scope: "s");
        var response = new TokenExchangeResponse("access-secret", TokenExchange.IdJagTokenType, "N_A", null, "s", "refresh-secret");

        var text = request + " " + response;

        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.Contains(TokenExchange.IdJagTokenType, text, StringComparison.Ordinal);
    }

    /// <summary>RFC 8693 §2.3 example response.</summary>
    [Fact]
    public void ReadsTheRfc8693ExampleResponse()
    {
        var response = Json(200, """
            {"access_token":"eyJhbGciOiJFUzI1NiIsImtpZCI6IjcyIn0.eyJhdWQiOiJodHRwczovL2JhY2tlbmQuZXhhbXBsZS5jb20iLCJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUuY29tIiwiZXhwIjoxNDQxOTE3NTkzLCJpYXQiOjE0NDE5MTc1MzMsInN1YiI6ImJkY0BleGFtcGxlLmNvbSIsInNjb3BlIjoiYXBpIn0.40y3ZgQedw6rxf59WlwHDD9jryFOr0_Wh3CGozQBihNBhnXEQgU85AI9x3KmsPottVMLPIWvmDCMy5-kdXjwhw",
             "issued_token_type":"urn:ietf:params:oauth:token-type:access_token",
             "token_type":"Bearer",
             "expires_in":60}
            """);

        var result = TokenExchange.ReadResponse(response);

        Assert.StartsWith("eyJhbGciOiJFUzI1NiIsImtpZCI6IjcyIn0.", result.AccessToken, StringComparison.Ordinal);
        Assert.Equal(TokenExchange.AccessTokenType, result.IssuedTokenType);
        Assert.Equal("Bearer", result.TokenType);
        Assert.Equal(TimeSpan.FromSeconds(60), result.ExpiresIn);
        Assert.Null(result.Scope);
        Assert.Null(result.RefreshToken);
    }

    [Fact]
    public void ReadsIdJagResponseWithOptionalMembers()
    {
        var response = Json(200, """
            {"access_token":"jag","issued_token_type":"urn:ietf:params:oauth:token-type:id-jag","token_type":"N_A",
             "scope":"chat.read","expires_in":"300","refresh_token":"rt"}
            """);

        var result = TokenExchange.ReadResponse(response);

        Assert.Equal(TokenExchange.IdJagTokenType, result.IssuedTokenType);
        Assert.Equal("N_A", result.TokenType);
        Assert.Equal("chat.read", result.Scope);
        Assert.Equal(TimeSpan.FromMinutes(5), result.ExpiresIn);
        Assert.Equal("rt", result.RefreshToken);
    }

    [Theory]
    [InlineData("""{"access_token":"a","token_type":"Bearer"}""", "issued_token_type")]
    [InlineData("""{"issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}""", "access_token")]
    [InlineData("""{"access_token":"a","issued_token_type":7}""", "issued_token_type")]
    [InlineData("""{"access_token":"a","issued_token_type":"t","expires_in":-1}""", "expires_in")]
    [InlineData("""{"access_token":"a","issued_token_type":"t","expires_in":"soon"}""", "expires_in")]
    public void MissingOrMistypedMemberIsInvalidResponseNamingIt(string json, string member)
    {
        var error = Assert.Throws<McpAuthException>(() => TokenExchange.ReadResponse(Json(200, json)));

        Assert.Equal(McpAuthErrorCode.InvalidResponse, error.Code);
        Assert.Contains($"'{member}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(200, error.StatusCode);
        Assert.Equal(Endpoint, error.Endpoint);
    }

    [Theory]
    [MemberData(nameof(ErrorMatrix.Names), MemberType = typeof(ErrorMatrix))]
    public void ErrorMatrixIsClassified(string name)
    {
        ErrorMatrix.AssertClassified(name, response => TokenExchange.ReadResponse(response));
    }

    [Fact]
    public void OAuthErrorKeepsErrorAndDescriptionInProperties()
    {
        var error = Assert.Throws<McpAuthException>(() => TokenExchange.ReadResponse(
            Json(400, """{"error":"invalid_target","error_description":"unknown audience"}""")));

        Assert.Equal(McpAuthErrorCode.OAuthError, error.Code);
        Assert.Equal("invalid_target", error.OAuthError);
        Assert.Equal("unknown audience", error.OAuthErrorDescription);
        Assert.DoesNotContain("unknown audience", error.Message, StringComparison.Ordinal);
    }
}
