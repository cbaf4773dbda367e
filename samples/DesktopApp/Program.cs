using McpAuth.Engine;
using McpAuth.Extensions.DependencyInjection;
using McpAuth.Samples.DesktopApp;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

// A desktop app: the first call opens the browser for the user to sign in; tokens are kept in the encrypted file store
// under MCPAUTH_HOME and refreshed silently, so later launches open no browser.
// Usage: DesktopApp <mcp-server-url>
if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var server))
{
    Console.Error.WriteLine("usage: DesktopApp <mcp-server-url>");
    return 2;
}

var redirectUri = new Uri("http://127.0.0.1:33418/callback");
var services = new ServiceCollection();
services.AddMcpAuth(options =>
{
    options.Client.Name = "McpAuth desktop sample";
    options.Client.RedirectUri = redirectUri;
}).UseFileStore();
services.AddSingleton<IAuthorizationInteraction, BrowserInteraction>();
services.AddHttpClient("mcp").AddMcpAuthHandler(server);
await using var provider = services.BuildServiceProvider();

var transport = new HttpClientTransport(
    new HttpClientTransportOptions { Endpoint = server, TransportMode = HttpTransportMode.StreamableHttp },
    provider.GetRequiredService<IHttpClientFactory>().CreateClient("mcp"), ownsHttpClient: true);
// The first request may wait for the user's login: only the initialization timeout bounds it, not the SDK's 5 s
// server/discover probe timeout (which would cancel a login in progress and start another).
await using var mcp = await McpClient.CreateAsync(transport, new McpClientOptions { DiscoverProbeTimeout = Timeout.InfiniteTimeSpan });
foreach (var tool in await mcp.ListToolsAsync())
{
    Console.WriteLine($"{tool.Name}: {tool.Description}");
}
return 0;
