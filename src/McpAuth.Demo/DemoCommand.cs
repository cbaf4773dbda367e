using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
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

    /// <summary>Parses and runs <paramref name="run"/>; a parse error goes to stderr, with no help unless asked for.</summary>
    public async Task<int> InvokeAsync(CliContext cli, IReadOnlyList<string> args, Func<DemoOptions, CancellationToken, Task<int>> run,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(run);
        SetAction((result, ct) => CommandErrors.RunAsync(cli, token => run(Parse(result), token), ct));
        var result = Parse(args);
        var parseError = result.Action as ParseErrorAction;
        if (parseError is not null)
        {
            parseError.ShowHelp = false;
        }
        var output = parseError is null ? cli.Out : cli.Err;
        var configuration = new InvocationConfiguration
        {
            Output = output, Error = cli.Err, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
        };
        var code = await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        if (parseError is not null)
        {
            await cli.Err.WriteLineAsync("Run 'mcpauth-demo --help' for usage.").ConfigureAwait(false);
        }
        return code;
    }
}
