using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

public sealed class IntrospectionTests
{
    [Fact]
    public void ParametersCarryTokenAndHint()
    {
        var parameters = Introspection.BuildParameters("2YotnFZFEjr1zCsicMWpAA", Revocation.AccessTokenHint);

        Assert.Equal([new("token", "2YotnFZFEjr1zCsicMWpAA"), new("token_type_hint", "access_token")], parameters);
        Assert.Equal(["token"], Introspection.BuildParameters("t", null).Select(p => p.Key));
    }

    /// <summary>RFC 7662 §2.2 example response.</summary>
    [Fact]
    public void ReadsTheRfc7662ExampleResponse()
    {
        var response = Json(200, """
            {"active": true, "client_id": "l238j323ds-23ij4", "username": "jdoe", "scope": "read write dolphin",
             "sub": "Z5O3upPC88QrAjx00dis", "aud": "https://protected.example.net/resource", "iss": "https://server.example.com/",
             "exp": 1419356238, "iat": 1419350238, "extension_field": "twenty-seven"}
            """);

        var result = Introspection.ReadResponse(response);

        Assert.True(result.Active);
        Assert.Equal("l238j323ds-23ij4", result.ClientId);
        Assert.Equal("jdoe", result.Username);
        Assert.Equal("read write dolphin", result.Scope);
        Assert.Equal("Z5O3upPC88QrAjx00dis", result.Sub);
        Assert.Equal(["https://protected.example.net/resource"], result.Aud!);
        Assert.Equal("https://server.example.com/", result.Iss);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1419356238), result.Exp);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1419350238), result.Iat);
    }

    /// <summary>RFC 7662 §2.2: an inactive token is <c>{"active": false}</c> and nothing else.</summary>
    [Fact]
    public void ReadsInactive()
    {
        var result = Introspection.ReadResponse(Json(200, """{"active":false}"""));

        Assert.Equal(new IntrospectionResponse(false), result);
    }

    [Fact]
    public void AudienceArrayIsRead()
    {
        var result = Introspection.ReadResponse(Json(200, """{"active":true,"aud":["a","b"]}"""));

        Assert.Equal(["a", "b"], result.Aud!);
    }

    [Theory]
    [InlineData("""{"scope":"x"}""", "active")]
    [InlineData("""{"active":"true"}""", "active")]
    [InlineData("""{"active":true,"exp":"tomorrow"}""", "exp")]
    [InlineData("""{"active":true,"aud":5}""", "aud")]
    [InlineData("""{"active":true,"exp":99999999999999999}""", "exp")]
    public void MissingOrMistypedMemberIsInvalidResponse(string json, string member)
    {
        var error = Assert.Throws<McpAuthException>(() => Introspection.ReadResponse(Json(200, json)));

        Assert.Equal(McpAuthErrorCode.InvalidResponse, error.Code);
        Assert.Contains($"'{member}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(Endpoint, error.Endpoint);
    }

    [Theory]
    [MemberData(nameof(ErrorMatrix.Names), MemberType = typeof(ErrorMatrix))]
    public void ErrorMatrixIsClassified(string name)
    {
        ErrorMatrix.AssertClassified(name, response => Introspection.ReadResponse(response));
    }
}
