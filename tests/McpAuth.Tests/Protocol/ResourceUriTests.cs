using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class ResourceUriTests
{
    [Theory]
    [InlineData("HTTPS://MCP.Example.COM:443/mcp", "https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com/", "https://mcp.example.com")]
    [InlineData("http://localhost:8080/mcp#frag", "http://localhost:8080/mcp")]
    [InlineData("https://mcp.example.com/Path/Case", "https://mcp.example.com/Path/Case")]
    public void Canonical_form(string input, string expected) => Assert.Equal(expected, ResourceUri.Canonicalize(new Uri(input)));

    [Theory]
    [InlineData("https://mcp.example.com/mcp", "https://mcp.example.com/mcp", true)]
    [InlineData("https://MCP.example.com:443/mcp", "https://mcp.example.com/mcp", true)]
    [InlineData("https://mcp.example.com", "https://mcp.example.com/mcp", true)]
    [InlineData("https://mcp.example.com/", "https://mcp.example.com/mcp", true)]
    [InlineData("https://mcp.example.com/mc", "https://mcp.example.com/mcp", false)]
    [InlineData("https://evil.example.com/mcp", "http://localhost:3000/mcp", false)]
    [InlineData("http://mcp.example.com/mcp", "https://mcp.example.com/mcp", false)]
    [InlineData("https://mcp.example.com:8443/mcp", "https://mcp.example.com/mcp", false)]
    [InlineData("https://mcp.example.com/mcp/other", "https://mcp.example.com/mcp", false)]
    [InlineData("not a uri", "https://mcp.example.com/mcp", false)]
    public void Resource_covers_server(string resource, string server, bool expected) =>
        Assert.Equal(expected, ResourceUri.Covers(resource, new Uri(server)));
}
