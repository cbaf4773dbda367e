using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

namespace McpAuth.Samples.BackgroundWorker;

/// <summary>Where the worker connects and how often it runs.</summary>
internal sealed record McpWorkerOptions(Uri Server, TimeSpan Interval);

/// <summary>Calls an MCP tool on a schedule; McpAuth attaches (and renews) the token on every request.</summary>
internal sealed partial class McpWorker(IHttpClientFactory http, McpWorkerOptions options, ILogger<McpWorker> logger) : BackgroundService
{
    public const string HttpClientName = "mcp";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval);
        do
        {
            try
            {
                var transport = new HttpClientTransport(
                    new HttpClientTransportOptions { Endpoint = options.Server, TransportMode = HttpTransportMode.StreamableHttp },
                    http.CreateClient(HttpClientName), ownsHttpClient: true);
                await using var mcp = await McpClient.CreateAsync(transport, cancellationToken: stoppingToken);
                var tools = await mcp.ListToolsAsync(cancellationToken: stoppingToken);
                LogTools(logger, tools.Count);
            }
            catch (McpAuthException e)
            {
                // A stable code, safe to log and to alert on (never a token or a server message).
                LogRefused(logger, e.Code);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(1, LogLevel.Information, "The MCP server offers {Count} tool(s)")]
    private static partial void LogTools(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Error, "Authorization refused: {Code}")]
    private static partial void LogRefused(ILogger logger, McpAuthErrorCode code);
}
