using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpAuth.Hardening.Tests.Infrastructure;

/// <summary>One request a hostile server received: enough to prove where a credential went.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The whole request as text, to search for a secret anywhere in it.</summary>
    public string AllText => $"{Method} {Path}{Query}\n{string.Join("\n", Headers.Select(h => $"{h.Key}: {h.Value}"))}\n\n{Body}";
}

/// <summary>
/// A deliberately malicious (or, for the honest half of an attack, ordinary) HTTP server: Kestrel on 127.0.0.1, port 0.
/// Routes are "METHOD /path" to a handler; anything else is 404. Every request is recorded.
/// </summary>
public sealed class HostileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private HostileServer(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:PORT (no trailing slash): also the issuer identifier when this server plays an AS.</summary>
    public string Origin { get; private set; } = "";

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<HostileServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.AllowSynchronousIO = false;
        });
        var app = builder.Build();
        var server = new HostileServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Origin = new Uri(address).GetLeftPart(UriPartial.Authority);
        return server;
    }

    public Uri Url(string path) => new(Origin + path);

    /// <summary>Adds or replaces the handler of <paramref name="method"/> <paramref name="path"/>.</summary>
    public HostileServer On(string method, string path, Func<HttpContext, Task> handler)
    {
        _routes[$"{method} {path}"] = handler;
        return this;
    }

    /// <summary>Answers <paramref name="path"/> with a JSON document.</summary>
    public HostileServer OnJson(string method, string path, string json, int status = 200) =>
        On(method, path, context => Respond.Json(context, json, status));

    /// <summary>Requests that reached <paramref name="path"/>.</summary>
    public IReadOnlyList<RecordedRequest> To(string path) => [.. _requests.Where(r => r.Path == path)];

    /// <summary>True when any request this server received contains <paramref name="secret"/>.</summary>
    public bool Saw(string secret) => _requests.Any(r => r.AllText.Contains(secret, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
        if (_routes.TryGetValue($"{request.Method} {request.Path.Value}", out var handler))
        {
            await handler(context);
            return;
        }
        context.Response.StatusCode = 404;
    }
}

/// <summary>Response helpers for hostile handlers.</summary>
public static class Respond
{
    public static Task Json(HttpContext context, string json, int status = 200, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    public static Task Redirect(HttpContext context, string location, int status = 302)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }

    public static async Task Bytes(HttpContext context, byte[] body, string contentType = "application/json", int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>A body that never ends: a byte every 50 ms until the client goes away.</summary>
    public static async Task Endless(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync("{\"access_token\":\""u8.ToArray(), context.RequestAborted);
        try
        {
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync("a"u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(50, context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Never answers: holds the request until the client goes away.</summary>
    public static async Task Never(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
