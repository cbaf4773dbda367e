using McpAuth.Cli.Callback;
using McpAuth.Cli.Engine;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// <c>mcpauth proxy</c>: a stdio MCP server forwarding to the remote Streamable HTTP server with McpAuth credentials.
/// stdout carries only MCP messages; every word of prose (login prompts included) goes to stderr.
/// </summary>
public sealed class ProxyRunner(CliContext cli, Func<ICliEngine> engine, IBrowserLauncher browser)
{
    public async Task<int> RunAsync(ProxyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prose = new CliContext
        {
            Out = cli.Err,
            Err = cli.Err,
            In = TextReader.Null,
            Environment = cli.Environment,
            IsInteractive = false,
            UseColor = cli.UseColor,
            Time = cli.Time,
        };
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var proxy = new StdioProxy(cli.In, cli.Out, cli.Err);
        var credentials = new EngineProxyCredentials(prose, engine, browser, options);
        var forwarder = new StreamableHttpForwarder(http, options.Server, credentials, options.Headers, proxy.WriteAsync, cli.Err);
        await proxy.RunAsync(forwarder, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
