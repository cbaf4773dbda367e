using System.CommandLine;

namespace McpAuth.Cli.Commands.Demo;

/// <summary>What <c>mcpauth demo</c> was asked to do.</summary>
public sealed record DemoOptions(bool Json);

/// <summary>The <c>demo</c> verb: its symbols and its parse step.</summary>
public sealed class DemoCommand : VerbCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public DemoCommand()
        : base("demo", "Start an embedded sandbox (authorization server + MCP server on loopback) and walk through login, a call, a refresh and a logout",
            "mcpauth demo")
    {
        Add(_json);
    }

    public DemoOptions Parse(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new DemoOptions(result.GetValue(_json));
    }
}
