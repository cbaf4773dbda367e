using McpAuth;
using McpAuth.ConformanceClient;
using McpAuth.Engine;
using McpAuth.Http;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

// The McpAuth client under the official MCP conformance suite: MCP through the C# SDK (its OAuth options unused),
// every OAuth step through McpAuth. Usage: McpAuth.ConformanceClient <server-url> (the suite appends the URL last).
if (args.Length == 0 || !Uri.TryCreate(args[^1], UriKind.Absolute, out var server))
{
    await Console.Error.WriteLineAsync("usage: conformance-client <mcp-server-url>");
    return 2;
}
var scenario = Environment.GetEnvironmentVariable("MCP_CONFORMANCE_SCENARIO") ?? "";
var protocolVersion = Environment.GetEnvironmentVariable("MCP_CONFORMANCE_PROTOCOL_VERSION");
var context = ScenarioContext.FromEnvironment();

using var loggerFactory = LoggerFactory.Create(builder => builder
    .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
    .SetMinimumLevel(LogLevel.Information));
var options = ScenarioOptions.Build(scenario, context);
using var oauthHttp = new HttpClient(OAuthHttpClient.CreateDefaultHandler(options.Http));
var engine = new McpAuthClient(options, new TokenVault(new InMemoryTokenStore()), oauthHttp, logger: loggerFactory.CreateLogger<McpAuthClient>());
var handler = new McpAuthHandler(engine, server, new HeadlessAuthorizationInteraction(oauthHttp, options.Http))
{
    InnerHandler = new SocketsHttpHandler(),
};
try
{
    var transport = new HttpClientTransport(
        new HttpClientTransportOptions { Endpoint = server, TransportMode = HttpTransportMode.StreamableHttp },
        new HttpClient(handler), loggerFactory, ownsHttpClient: true);
    await using var mcp = await McpClient.CreateAsync(transport, new McpClientOptions
    {
        ClientInfo = new() { Name = "mcpauth-conformance-client", Version = "1.0.0" },
        ProtocolVersion = string.IsNullOrEmpty(protocolVersion) ? null : protocolVersion,
        // The SDK bounds its 2026-07-28 server/discover probe by 5 s by default and then gives up on that revision; the
        // probe is the first request, so it carries the whole authorization (discovery, registration, the user's
        // login). Only the initialization timeout bounds it.
        DiscoverProbeTimeout = Timeout.InfiniteTimeSpan,
    }, loggerFactory);
    var tools = await mcp.ListToolsAsync();
    if (tools.Count > 0)
    {
        var result = await mcp.CallToolAsync(tools[0].Name, new Dictionary<string, object?>());
        if (result.IsError == true)
        {
            await Console.Error.WriteLineAsync("tool call returned an error");
            return 1;
        }
    }
    await Console.Error.WriteLineAsync($"ok: {tools.Count} tool(s)");
    return 0;
}
catch (McpAuthException e)
{
    await Console.Error.WriteLineAsync($"refused: {e.Code} (status {e.StatusCode}, error {e.OAuthError}): {e.Message}");
    return 1;
}
catch (Exception e) when (e.InnerException is McpAuthException inner)
{
    await Console.Error.WriteLineAsync($"refused: {inner.Code} (status {inner.StatusCode}, error {inner.OAuthError}): {inner.Message}");
    return 1;
}
