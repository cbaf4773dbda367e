using McpAuth.Engine;
using McpAuth.Extensions.DependencyInjection;
using McpAuth.Samples.BackgroundWorker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A background worker: no user, no browser. It authenticates as itself with the client credentials grant
// (OAuth 2.1 §4.2) using a client registered ahead of time; McpAuth stores and renews its tokens.
// Configuration (environment): MCP_SERVER_URL, MCPAUTH_CLIENT_ID, MCPAUTH_CLIENT_SECRET.
var builder = Host.CreateApplicationBuilder(args);
var server = new Uri(builder.Configuration["MCP_SERVER_URL"] ?? "http://127.0.0.1:8080/mcp");
builder.Services.AddMcpAuth(options =>
{
    options.Grant.Kind = McpAuthGrant.ClientCredentials;
    options.Profile = "worker";
    options.Client.PreRegistered = new PreRegisteredClient(
        builder.Configuration["MCPAUTH_CLIENT_ID"] ?? "", builder.Configuration["MCPAUTH_CLIENT_SECRET"], "client_secret_basic");
}).UseFileStore();
builder.Services.AddHttpClient(McpWorker.HttpClientName).AddMcpAuthHandler(server);
builder.Services.AddSingleton(new McpWorkerOptions(server, TimeSpan.FromMinutes(5)));
builder.Services.AddHostedService<McpWorker>();
await builder.Build().RunAsync();
