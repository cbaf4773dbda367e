using McpAuth.Cli;
using McpAuth.Cli.Commands;

var cli = CliContext.FromProcess();
var runners = new CommandRunners
{
    Login = (_, _) => NotYetAvailable.Fail<object>("login", "the McpAuth engine"),
    Status = (_, _) => NotYetAvailable.Fail<object>("status", "the McpAuth engine"),
    Token = (_, _) => NotYetAvailable.Fail<object>("token", "the McpAuth engine"),
    Logout = (_, _) => NotYetAvailable.Fail<object>("logout", "the McpAuth engine"),
    Import = (_, _) => NotYetAvailable.Fail<object>("import", "the McpAuth engine"),
    Proxy = (_, _) => NotYetAvailable.Fail<object>("proxy", "the McpAuth engine"),
    Demo = (_, _) => NotYetAvailable.Fail<object>("demo", "the McpAuth sandbox"),
};
var root = CommandTree.Build(cli, runners);
return await CommandTree.InvokeAsync(root, cli, args, CancellationToken.None);
