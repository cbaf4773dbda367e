using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

public sealed class DPoPNonceTests
{
    /// <summary>RFC 9449 §8: the authorization server's nonce challenge.</summary>
    [Fact]
    public void AuthorizationServerErrorBodyIsANonceChallenge()
    {
        var response = Json(400, """{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}""",
            dpopNonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v");

        Assert.True(DPoPNonce.IsNonceChallenge(response));
        Assert.Equal("eyJ7S_zG.eyJH0-Z.HX4w-7v", DPoPNonce.GetRetryNonce(response));
    }

    /// <summary>RFC 9449 §9: the resource server's nonce challenge.</summary>
    [Fact]
    public void ResourceServerChallengeIsANonceChallenge()
    {
        var response = new OAuthResponse(401, null, ReadOnlyMemory<byte>.Empty, Endpoint,
            ["""DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", algs="ES256" """],
            DPoPNonce: "eyJ7S_zG.eyJbYu3.xQmBj-1");

        Assert.True(DPoPNonce.IsNonceChallenge(response));
        Assert.Equal("eyJ7S_zG.eyJbYu3.xQmBj-1", DPoPNonce.GetRetryNonce(response));
    }

    [Fact]
    public void ChallengeAmongSeveralIsFound()
    {
        var response = new OAuthResponse(401, "text/plain", "nope"u8.ToArray(), Endpoint,
            ["Bearer realm=\"x\"", "DPoP algs=\"ES256\", error=\"use_dpop_nonce\""], DPoPNonce: "n");

        Assert.True(DPoPNonce.IsNonceChallenge(response));
    }

    [Fact]
    public void ChallengeWithoutNonceHeaderCannotBeRetried()
    {
        var response = Json(400, """{"error":"use_dpop_nonce"}""");

        Assert.True(DPoPNonce.IsNonceChallenge(response));
        Assert.Null(DPoPNonce.GetRetryNonce(response));
    }

    [Fact]
    public void OtherErrorsAreNotNonceChallenges()
    {
        Assert.False(DPoPNonce.IsNonceChallenge(Json(400, """{"error":"invalid_dpop_proof"}""", dpopNonce: "n")));
        Assert.False(DPoPNonce.IsNonceChallenge(Json(400, """{"error":"invalid_grant"}""")));
        Assert.False(DPoPNonce.IsNonceChallenge(new OAuthResponse(401, null, ReadOnlyMemory<byte>.Empty, Endpoint,
            ["DPoP error=\"invalid_token\""], DPoPNonce: "n")));
        Assert.False(DPoPNonce.IsNonceChallenge(Text(400, "text/html", "use_dpop_nonce")));
        Assert.False(DPoPNonce.IsNonceChallenge(Text(400, "application/json", "{not json")));
        Assert.Null(DPoPNonce.GetRetryNonce(Json(400, """{"error":"invalid_grant"}""", dpopNonce: "n")));
    }

    [Fact]
    public void SuccessWithANewNonceIsNotAChallenge()
    {
        var response = Json(200, """{"access_token":"a","token_type":"DPoP"}""", dpopNonce: "next");

        Assert.False(DPoPNonce.IsNonceChallenge(response));
        Assert.Null(DPoPNonce.GetRetryNonce(response));
    }

    [Fact]
    public void MalformedChallengeIsNotANonceChallenge()
    {
        var response = new OAuthResponse(401, null, ReadOnlyMemory<byte>.Empty, Endpoint, ["DPoP error=\"use_dpop_nonce"], DPoPNonce: "n");

        Assert.False(DPoPNonce.IsNonceChallenge(response));
    }

    /// <summary>The MCP conformance resource server's nonce challenge: header, JSON body and WWW-Authenticate together.</summary>
    [Fact]
    public void ConformanceResourceServerChallengeIsRecognised()
    {
        var response = new OAuthResponse(401, "application/json", """{"error":"use_dpop_nonce"}"""u8.ToArray(), Endpoint,
            ["DPoP error=\"use_dpop_nonce\", resource_metadata=\"http://localhost:3001/.well-known/oauth-protected-resource/mcp\""],
            DPoPNonce: "conformance-rs-dpop-nonce");

        Assert.Equal("conformance-rs-dpop-nonce", DPoPNonce.GetRetryNonce(response));
    }

    [Fact]
    public void FirstUnauthenticatedChallengeIsNotANonceChallenge()
    {
        var response = new OAuthResponse(401, "application/json", """{"error":"unauthorized"}"""u8.ToArray(), Endpoint,
            ["DPoP resource_metadata=\"http://localhost:3001/.well-known/oauth-protected-resource/mcp\""]);

        Assert.False(DPoPNonce.IsNonceChallenge(response));
    }
}
