using System.CommandLine;
using System.CommandLine.Invocation;
using McpAuth.Cli.Commands.Headers;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Commands.Proxy;
using McpAuth.Cli.Commands.Status;
using McpAuth.Cli.Commands.Token;

namespace McpAuth.Cli.Commands;

/// <summary>Builds the <c>mcpauth</c> command tree: each verb parses its options, then calls its run step.</summary>
public static class CommandTree
{
    public static RootCommand Build(CliContext cli, CommandRunners runners)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(runners);
        var root = new RootCommand("mcpauth: log in to MCP servers with OAuth and keep the credentials fresh.");
        var login = new LoginCommand();
        Bind(cli, login, (r, ct) => runners.Login(login.Parse(r, cli), ct));
        var status = new StatusCommand();
        Bind(cli, status, (r, ct) => runners.Status(status.Parse(r), ct));
        var token = new TokenCommand();
        Bind(cli, token, (r, ct) => runners.Token(token.Parse(r), ct));
        var logout = new LogoutCommand();
        Bind(cli, logout, (r, ct) => runners.Logout(logout.Parse(r), ct));
        var import = new ImportCommand();
        Bind(cli, import, (r, ct) => import.IsFromAnotherTool(r)
            ? runners.ImportFromMcpRemote(import.ParseFromMcpRemote(r), ct)
            : runners.Import(import.Parse(r, cli), ct));
        var headers = new HeadersCommand();
        Bind(cli, headers, (r, ct) => runners.Headers(headers.Parse(r), ct));
        var proxy = new ProxyCommand();
        Bind(cli, proxy, (r, ct) => runners.Proxy(proxy.Parse(r, cli), ct));
        foreach (var verb in new Command[] { login, status, token, headers, logout, import, proxy })
        {
            root.Add(verb);
        }
        HelpWithExamplesAction.Install(root);
        return root;
    }

    /// <summary>Parses and runs, with stdout and stderr from <paramref name="cli"/>.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, CliContext cli, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(cli);
        // Ctrl-C is handled by the caller's token (see Program), so cancelled commands exit 2, not 130.
        var configuration = new InvocationConfiguration
        {
            Output = cli.Out, Error = cli.Err, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
        };
        var result = root.Parse(args.Count == 0 ? ["--help"] : args);
        if (result.Action is ParseErrorAction parseError)
        {
            // Parse errors are prose: the message and typo suggestions go to stderr; help only when asked for.
            parseError.ShowHelp = false;
            var toStderr = new InvocationConfiguration
            {
                Output = cli.Err, Error = cli.Err, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
            };
            var code = await result.InvokeAsync(toStderr, cancellationToken).ConfigureAwait(false);
            if (args.Count > 0 && args[0] == "demo")
            {
                await cli.Err.WriteLineAsync(MovedDemo).ConfigureAwait(false);
            }
            var verb = result.CommandResult.Command is RootCommand ? "" : result.CommandResult.Command.Name + " ";
            await cli.Err.WriteLineAsync($"Run 'mcpauth {verb}--help' for usage.").ConfigureAwait(false);
            return code;
        }
        return await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What <c>mcpauth demo</c> says now that the demo is an executable of its own (mcpauth carries no sandbox).</summary>
    internal const string MovedDemo = "The demo is its own executable now: mcpauth-demo (./scripts/demo in the McpAuth repository).";

    private static void Bind(CliContext cli, Command command, Func<ParseResult, CancellationToken, Task<int>> run) =>
        command.SetAction((result, ct) => CommandErrors.RunAsync(cli, token => run(result, token), ct,
            Given(result, command, "server-url"), Given(result, command, "--profile")));

    /// <summary>The value given for the verb's argument or option <paramref name="name"/>, when it has one.</summary>
    private static string? Given(ParseResult result, Command command, string name) =>
        command.Arguments.Any(a => a.Name == name) || command.Options.Any(o => o.Name == name) ? result.GetValue<string>(name) : null;
}
