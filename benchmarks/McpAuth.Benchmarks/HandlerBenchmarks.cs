using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using McpAuth.Engine;
using McpAuth.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpAuth.Benchmarks;

/// <summary>
/// The cost <see cref="McpAuthHandler"/> adds to one MCP request (a JSON-RPC <c>tools/call</c> POST, as the MCP SDK
/// sends it) when the engine holds a fresh access token in memory: the same request through the same
/// <see cref="HttpClient"/> pipeline with and without the handler.
/// <para>
/// <c>InMemory*</c>: the terminal handler answers 200 in memory, so the difference is the handler's own cost.
/// <c>Loopback*</c>: the terminal handler is <see cref="SocketsHttpHandler"/> and the request goes over loopback HTTP
/// to a Kestrel endpoint that answers 200, to put the handler's cost beside a real request's.
/// </para>
/// The token comes from a real login against the sandbox authorization server in <see cref="Setup"/>; no request of
/// the measured lines reaches the authorization server.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class HandlerBenchmarks
{
    private static readonly byte[] Body =
        """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}"""u8.ToArray();

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private Sandbox.Sandbox _sandbox = null!;
    private WebApplication _endpoint = null!;
    private HttpClient _oauthHttp = null!;
    private HttpClient _inMemoryBare = null!;
    private HttpClient _inMemoryAuth = null!;
    private HttpClient _loopbackBare = null!;
    private HttpClient _loopbackAuth = null!;
    private Uri _server = null!;
    private Uri _loopback = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _sandbox = await Sandbox.Sandbox.StartAsync();
        _server = _sandbox.McpServerUrl;
        _oauthHttp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var engine = new McpAuthClient(new McpAuthOptions { Client = { RedirectUri = new Uri("http://127.0.0.1:33418/callback") } },
            new TokenVault(new InMemoryTokenStore()), _oauthHttp);
        await engine.AuthorizeAsync(_server, new HeadlessAuthorizationInteraction(_oauthHttp), CancellationToken.None);

        _endpoint = await StartEndpointAsync();
        _loopback = new Uri(_endpoint.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/mcp");

        _inMemoryBare = new HttpClient(new OkHandler());
        _inMemoryAuth = new HttpClient(new McpAuthHandler(engine, _server) { InnerHandler = new OkHandler() });
        _loopbackBare = new HttpClient(new SocketsHttpHandler());
        // The handler is bound to the sandbox MCP server (where the token belongs); the request itself goes to the
        // loopback endpoint, which accepts any request.
        _loopbackAuth = new HttpClient(new McpAuthHandler(engine, _server) { InnerHandler = new SocketsHttpHandler() });

        // Prove the token is cached and attached before timing anything.
        var probe = new ProbeHandler();
        using var check = new HttpClient(new McpAuthHandler(engine, _server) { InnerHandler = probe });
        (await check.SendAsync(Request(_server))).Dispose();
        if (probe.Authorization is not { Scheme: "Bearer" })
        {
            throw new InvalidOperationException("the handler attached no bearer token");
        }
        _sandbox.AuthorizationServer.Stats.Reset();
    }

    private static async Task<WebApplication> StartEndpointAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/mcp", static async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync("""{"jsonrpc":"2.0","id":7,"result":{}}"""u8.ToArray());
        });
        await app.StartAsync();
        return app;
    }

    [Benchmark(Baseline = true)]
    public Task<HttpStatusCode> InMemoryWithoutHandler() => SendAsync(_inMemoryBare, _server);

    [Benchmark]
    public Task<HttpStatusCode> InMemoryWithHandler() => SendAsync(_inMemoryAuth, _server);

    [Benchmark]
    public Task<HttpStatusCode> LoopbackWithoutHandler() => SendAsync(_loopbackBare, _loopback);

    [Benchmark]
    public Task<HttpStatusCode> LoopbackWithHandler() => SendAsync(_loopbackAuth, _loopback);

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_sandbox.AuthorizationServer.Stats.Get(Sandbox.SandboxCounters.Token) != 0)
        {
            throw new InvalidOperationException("a measured request reached the token endpoint: the token was not cached");
        }
        foreach (var client in new[] { _inMemoryBare, _inMemoryAuth, _loopbackBare, _loopbackAuth, _oauthHttp })
        {
            client.Dispose();
        }
        _endpoint.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sandbox.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, Uri url)
    {
        using var response = await client.SendAsync(Request(url)).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK ? response.StatusCode : throw new InvalidOperationException("not 200");
    }

    /// <summary>A request as the MCP SDK's Streamable HTTP transport builds it.</summary>
    private static HttpRequestMessage Request(Uri url)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
        return request;
    }

    /// <summary>Answers 200 with an empty JSON-RPC result, in memory.</summary>
    private sealed class OkHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
    }

    /// <summary>Answers 200 and keeps the Authorization header it saw.</summary>
    private sealed class ProbeHandler : HttpMessageHandler
    {
        public AuthenticationHeaderValue? Authorization { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorization = request.Headers.Authorization;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
