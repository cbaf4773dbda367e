using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

public sealed class JwtBearerGrantTests
{
    [Fact]
    public void ParametersCarryGrantTypeAssertionScopeAndResource()
    {
        var parameters = JwtBearerGrant.BuildParameters("eyJ.a.b", "mcp:read mcp:write", "https://mcp.example.com/mcp");

        Assert.Equal(["grant_type", "assertion", "scope", "resource"], parameters.Select(p => p.Key));
        var map = ToDictionary(parameters);
        Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", map["grant_type"]);
        Assert.Equal("eyJ.a.b", map["assertion"]);
        Assert.Equal("mcp:read mcp:write", map["scope"]);
        Assert.Equal("https://mcp.example.com/mcp", map["resource"]);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    public void AbsentScopeAndResourceAreOmitted(string? scope, string? resource)
    {
        var parameters = JwtBearerGrant.BuildParameters("eyJ.a.b", scope, resource);

        Assert.Equal(["grant_type", "assertion"], parameters.Select(p => p.Key));
    }

    [Fact]
    public void EmptyAssertionIsRefused()
    {
        Assert.Throws<ArgumentException>(() => JwtBearerGrant.BuildParameters("", null, null));
        Assert.Throws<ArgumentNullException>(() => JwtBearerGrant.BuildParameters(null!, null, null));
    }
}
