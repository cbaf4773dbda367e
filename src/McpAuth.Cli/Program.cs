using System.Runtime.InteropServices;
using McpAuth.Cli;
using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands;
using McpAuth.Cli.Commands.Headers;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Commands.Proxy;
using McpAuth.Cli.Commands.Status;
using McpAuth.Cli.Commands.Token;
using McpAuth.Cli.Engine;

var cli = CliContext.FromProcess();
// Ctrl-C and SIGTERM cancel the running command, which cleans up (listener closed, port released) and exits 2.
using var cancel = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
// The engine is created only by the verb that runs, so `mcpauth token` loads no more than it needs.
Func<ICliEngine> engine = () => EngineFactory.Create(cli);
if (TokenFastPath.TryParse(args) is { } tokenOptions)
{
    return await CommandErrors.RunAsync(cli, ct => new TokenRunner(cli, engine).RunAsync(tokenOptions, ct), cancel.Token,
        tokenOptions.Server, tokenOptions.Profile);
}
var runners = new CommandRunners
{
    Login = (o, ct) => new LoginRunner(cli, engine, new BrowserLauncher(cli.Environment)).RunAsync(o, ct),
    Status = (o, ct) => new StatusRunner(cli, engine).RunAsync(o, ct),
    Token = (o, ct) => new TokenRunner(cli, engine).RunAsync(o, ct),
    Logout = (o, ct) => new LogoutRunner(cli, engine).RunAsync(o, ct),
    Import = (o, ct) => new ImportRunner(cli, engine).RunAsync(o, ct),
    ImportFromMcpRemote = (o, ct) => new McpRemoteImportRunner(cli).RunAsync(o, ct),
    Headers = (o, ct) => new HeadersRunner(cli, engine).RunAsync(o, ct),
    Proxy = (o, ct) => new ProxyRunner(cli, new BrowserLauncher(cli.Environment)).RunAsync(o, ct),
};
var root = CommandTree.Build(cli, runners);
return await CommandTree.InvokeAsync(root, cli, args, cancel.Token);

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}
