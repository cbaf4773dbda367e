using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

/// <remarks>
/// What counts as success (200 whatever the body, other 2xx) is tested where it has an outcome to check: a revocation
/// that reports both tokens revoked (<c>Orchestration/TokenRevocationTests</c>).
/// </remarks>
public sealed class RevocationTests
{
    [Fact]
    public void ParametersCarryTokenAndHint()
    {
        var parameters = Revocation.BuildParameters("45ghiukldjahdnhzdauz", Revocation.RefreshTokenHint);

        Assert.Equal([new("token", "45ghiukldjahdnhzdauz"), new("token_type_hint", "refresh_token")], parameters);
    }

    [Fact]
    public void HintIsOptional()
    {
        Assert.Equal(["token"], Revocation.BuildParameters("t", null).Select(p => p.Key));
        Assert.Throws<ArgumentException>(() => Revocation.BuildParameters("", null));
    }

    [Fact]
    public void Http200WithJsonErrorIsAnError()
    {
        var error = Assert.Throws<McpAuthException>(() => Revocation.ReadResponse(Json(200, """{"ok":false,"error":"invalid_client"}""")));

        Assert.Equal(McpAuthErrorCode.InvalidClient, error.Code);
    }

    /// <summary>RFC 7009 §2.2.1: 503 with Retry-After means try again later.</summary>
    [Fact]
    public void Http503IsTemporarilyUnavailableWithRetryAfter()
    {
        var error = Assert.Throws<McpAuthException>(() => Revocation.ReadResponse(Empty(503, retryAfter: TimeSpan.FromSeconds(120))));

        Assert.Equal(McpAuthErrorCode.TemporarilyUnavailable, error.Code);
        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.Equal(503, error.StatusCode);
        Assert.True(error.IsTransient);
    }

    /// <summary>RFC 7009 §2.2.1: the server cannot revoke this type of token.</summary>
    [Fact]
    public void UnsupportedTokenTypeIsTyped()
    {
        var error = Assert.Throws<McpAuthException>(() => Revocation.ReadResponse(Json(400, """{"error":"unsupported_token_type"}""")));

        Assert.Equal(McpAuthErrorCode.UnsupportedGrantType, error.Code);
        Assert.Equal("unsupported_token_type", error.OAuthError);
        Assert.Equal(400, error.StatusCode);
    }

    [Theory]
    [InlineData("oauth-error")]
    [InlineData("invalid-client")]
    [InlineData("http-200-error")]
    [InlineData("server-error-503")]
    [InlineData("rate-limited-429")]
    [InlineData("html-500")]
    public void ErrorMatrixIsClassified(string name)
    {
        ErrorMatrix.AssertClassified(name, Revocation.ReadResponse);
    }

    [Theory]
    [InlineData(302)]
    [InlineData(401)]
    [InlineData(404)]
    public void OtherStatusesAreNotSuccess(int status)
    {
        var error = Assert.Throws<McpAuthException>(() => Revocation.ReadResponse(Empty(status)));

        Assert.Equal(McpAuthErrorCode.InvalidResponse, error.Code);
        Assert.Equal(status, error.StatusCode);
    }
}
