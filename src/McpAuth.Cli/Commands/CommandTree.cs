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

    /// <summary>Parses and runs, with stdout and stderr from <paramref name="cli"/>; no arguments show the help.</summary>
    public static Task<int> InvokeAsync(RootCommand root, CliContext cli, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        InvokeAsync(root, "mcpauth", cli, args.Count == 0 ? ["--help"] : args, cancellationToken,
            parseErrorNote: args.Count > 0 && args[0] == "demo" ? MovedDemo : null);

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/> (the executable <paramref name="program"/>) and runs
    /// it, with stdout and stderr from <paramref name="cli"/>. A parse error is prose: its message and typo suggestions go
    /// to stderr, then <paramref name="parseErrorNote"/> when given and where the usage is; the help only when asked for.
    /// </summary>
    internal static async Task<int> InvokeAsync(Command root, string program, CliContext cli, IReadOnlyList<string> args,
        CancellationToken cancellationToken, string? parseErrorNote = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(cli);
        var result = root.Parse(args);
        var parseError = result.Action as ParseErrorAction;
        if (parseError is not null)
        {
            parseError.ShowHelp = false;
        }
        // Ctrl-C is handled by the caller's token (see Program), so cancelled commands exit 2, not 130.
        var configuration = new InvocationConfiguration
        {
            Output = parseError is null ? cli.Out : cli.Err, Error = cli.Err, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
        };
        var code = await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        if (parseError is not null)
        {
            if (parseErrorNote is not null)
            {
                await cli.Err.WriteLineAsync(parseErrorNote).ConfigureAwait(false);
            }
            var verb = result.CommandResult.Command == root ? "" : result.CommandResult.Command.Name + " ";
            await cli.Err.WriteLineAsync($"Run '{program} {verb}--help' for usage.").ConfigureAwait(false);
        }
        return code;
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
