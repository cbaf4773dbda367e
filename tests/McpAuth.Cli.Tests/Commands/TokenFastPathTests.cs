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

        Assert.Equal(new TokenOptions("https://mcp.example/mcp", profile), options);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("token", "--help")]
    [InlineData("token", "https://mcp.example/mcp", "--help")]
    [InlineData("token", "https://mcp.example/mcp", "--profile", "--help")]
    [InlineData("token", "ftp://mcp.example/mcp")]
    [InlineData("status", "https://mcp.example/mcp")]
    [InlineData("token", "https://mcp.example/mcp", "--bogus", "x")]
    [InlineData("token", "https://mcp.example/mcp#fragment")]
    [InlineData("token", "https://")]
    [InlineData("token", "https://mcp.example/a b")]
    [InlineData("token", "mcp.example/mcp")]
    public void Leaves_everything_else_to_the_full_parser(params string[] args) => Assert.Null(TokenFastPath.TryParse(args));

    [Theory]
    [InlineData("https://mcp.example/mcp", true)]
    [InlineData("HTTP://127.0.0.1:8080/mcp?x=1", true)]
    [InlineData("http://", false)]
    [InlineData("https://mcp.example/\u00e9", false)]
    [InlineData("https://mcp.example/mcp\t", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("file:///etc/passwd", false)]
    public void Checks_the_shape_of_an_http_url_without_parsing_it(string value, bool expected) =>
        Assert.Equal(expected, TokenFastPath.LooksLikeServerUrl(System.Text.RegularExpressions.Regex.Unescape(value)));
}
