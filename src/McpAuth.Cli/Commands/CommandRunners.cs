using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Commands.Proxy;
using McpAuth.Cli.Commands.Status;
using McpAuth.Cli.Commands.Token;

namespace McpAuth.Cli.Commands;

/// <summary>
/// The run step of every verb. The command tree parses, then calls one of these; tests substitute fakes to check
/// parsing and dispatch without running anything.
/// </summary>
public sealed record CommandRunners
{
    public required Func<LoginOptions, CancellationToken, Task<int>> Login { get; init; }
    public required Func<StatusOptions, CancellationToken, Task<int>> Status { get; init; }
    public required Func<TokenOptions, CancellationToken, Task<int>> Token { get; init; }
    public required Func<LogoutOptions, CancellationToken, Task<int>> Logout { get; init; }
    public required Func<ImportOptions, CancellationToken, Task<int>> Import { get; init; }
    /// <summary><c>import --from mcp-remote</c>.</summary>
    public required Func<McpRemoteImportOptions, CancellationToken, Task<int>> ImportFromMcpRemote { get; init; }
    public required Func<ProxyOptions, CancellationToken, Task<int>> Proxy { get; init; }
    /// <summary><c>headers</c>: the token's options (server, profile), printed as a headers object.</summary>
    public required Func<TokenOptions, CancellationToken, Task<int>> Headers { get; init; }
}
