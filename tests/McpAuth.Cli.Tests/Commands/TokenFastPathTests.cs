using McpAuth.Cli.Commands.Token;

namespace McpAuth.Cli.Tests.Commands;

public sealed class TokenFastPathTests
{
    [Theory]
    [InlineData("default", "token", "https://mcp.example/mcp")]
    [InlineData("work", "token", "https://mcp.example/mcp", "--profile", "work")]
    [InlineData("ci", "token", "https://mcp.example/mcp", "-p", "ci")]
    public void Recognises_the_plain_shapes(string profile, params string[] args)
    {
        var options = TokenFastPath.TryParse(args);

        Assert.Equal(new TokenOptions(new Uri("https://mcp.example/mcp"), profile), options);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("token", "--help")]
    [InlineData("token", "https://mcp.example/mcp", "--help")]
    [InlineData("token", "https://mcp.example/mcp", "--profile", "--help")]
    [InlineData("token", "ftp://mcp.example/mcp")]
    [InlineData("status", "https://mcp.example/mcp")]
    [InlineData("token", "https://mcp.example/mcp", "--bogus", "x")]
    public void Leaves_everything_else_to_the_full_parser(params string[] args) => Assert.Null(TokenFastPath.TryParse(args));
}
