using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// A small Streamable HTTP MCP server on 127.0.0.1:0 for proxy tests: requires "Bearer good", answers initialize with
/// JSON and a session id, tools/call with an SSE stream (a progress notification, then the result), and sends one
/// server-initiated ping on the GET stream.
/// </summary>
internal sealed class FakeMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeMcpServer(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Method, string? Authorization, string? Session, string? Protocol, string? Tenant)> Requests { get; } = new();

    public Uri Url { get; private set; } = null!;

    public static async Task<FakeMcpServer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeMcpServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First() + "/mcp");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = request.Headers;
        Requests.Enqueue((request.Method, headers.Authorization.FirstOrDefault(), headers["Mcp-Session-Id"].FirstOrDefault(),
            headers["MCP-Protocol-Version"].FirstOrDefault(), headers["X-Tenant"].FirstOrDefault()));
        if (headers.Authorization != "Bearer good")
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Bearer resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource\"";
            return;
        }
        if (HttpMethods.IsDelete(request.Method))
        {
            context.Response.StatusCode = 204;
            return;
        }
        if (HttpMethods.IsGet(request.Method))
        {
            await WriteSseAsync(context, """{"jsonrpc":"2.0","id":"s1","method":"ping"}""");
            return;
        }
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        if (body.Contains("\"initialize\"", StringComparison.Ordinal))
        {
            context.Response.Headers["Mcp-Session-Id"] = "session-1";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""
                {"jsonrpc": "2.0", "id": 1,
                 "result": {"protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": {"name": "fake", "version": "1"}}}
                """);
            return;
        }
        if (body.Contains("\"tools/call\"", StringComparison.Ordinal))
        {
            await WriteSseAsync(context,
                """{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}""",
                """{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"hi"}]}}""");
            return;
        }
        context.Response.StatusCode = 202;
    }

    private static async Task WriteSseAsync(HttpContext context, params string[] messages)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var message in messages)
        {
            await context.Response.WriteAsync($": comment\nevent: message\nid: e{message.Length}\ndata: {message}\n\n");
            await context.Response.Body.FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
