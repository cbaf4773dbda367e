using System.CommandLine;
using System.CommandLine.Help;
using McpAuth.Cli;
using McpAuth.Cli.Commands;

namespace McpAuth.Demo;

/// <summary>What <c>mcpauth-demo</c> was asked to do.</summary>
public sealed record DemoOptions(bool Json);

/// <summary>The <c>mcpauth-demo</c> command: its symbols, its parse step, and its invocation.</summary>
public sealed class DemoCommand : Command
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public DemoCommand()
        : base("mcpauth-demo", "Start an embedded sandbox (authorization server + MCP server on loopback) and walk through login, a call, a refresh and a logout, in a throw-away MCPAUTH_HOME (your credentials are never touched)")
    {
        Add(_json);
        Add(new HelpOption());
    }

    public DemoOptions Parse(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new DemoOptions(result.GetValue(_json));
    }

    /// <summary>Parses and runs <paramref name="run"/>; a parse error goes to stderr as the CLI's do (<see cref="CommandTree"/>).</summary>
    public Task<int> InvokeAsync(CliContext cli, IReadOnlyList<string> args, Func<DemoOptions, CancellationToken, Task<int>> run,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(run);
        SetAction((result, ct) => CommandErrors.RunAsync(cli, token => run(Parse(result), token), ct));
        return CommandTree.InvokeAsync(this, "mcpauth-demo", cli, args, cancellationToken);
    }
}
