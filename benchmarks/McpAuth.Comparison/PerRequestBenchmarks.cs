using BenchmarkDotNet.Attributes;
using McpAuth.Engine;
using McpAuth.Storage;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;

namespace McpAuth.Comparison;

/// <summary>
/// (4) The cost auth adds to one authorized MCP request (tools/call echo with the SDK's MCP client, logged in already):
/// a static bearer header (baseline), McpAuth's handler, the SDK's own OAuth. Same sandbox, same process.
/// </summary>
[InProcess]
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class PerRequestBenchmarks
{
    private Sandbox.Sandbox _sandbox = null!;
    private readonly List<IAsyncDisposable> _clients = [];
    private readonly List<IDisposable> _http = [];
    private McpClient _static = null!;
    private McpClient _mcpAuth = null!;
    private McpClient _sdk = null!;
    private string _root = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _sandbox = await Sandbox.Sandbox.StartAsync();
        _root = Directory.CreateTempSubdirectory("mcpauth-per-request-").FullName;
        var url = _sandbox.McpServerUrl;
        var oauthHttp = Track(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }));
        var engine = new McpAuthClient(new McpAuthOptions { Client = { RedirectUri = Clients.RedirectUri } },
            new TokenVault(FileTokenStore.Open(new FileTokenStoreOptions { Home = Path.Combine(_root, "home") })), oauthHttp);
        var token = await engine.AuthorizeAsync(url, new HeadlessAuthorizationInteraction(oauthHttp), CancellationToken.None);
        _mcpAuth = await ConnectAsync(new HttpClientTransportOptions { Endpoint = url },
            Track(new HttpClient(new McpAuthHandler(engine, url) { InnerHandler = new HttpClientHandler() })));
        _static = await ConnectAsync(new HttpClientTransportOptions { Endpoint = url },
            Track(new HttpClient(new StaticBearerHandler(token.Value) { InnerHandler = new HttpClientHandler() })));
        var sdkHttp = Track(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }));
        _sdk = await ConnectAsync(new HttpClientTransportOptions
        {
            Endpoint = url,
            OAuth = new ClientOAuthOptions
            {
                RedirectUri = Clients.RedirectUri,
                DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "sdk-bench" },
                TokenCache = new FileTokenCache(Path.Combine(_root, "sdk.json")),
                AuthorizationCallbackHandler = async (context, ct) =>
                {
                    using var response = await sdkHttp.GetAsync(context.AuthorizationUri, ct);
                    var query = System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query);
                    return new AuthorizationResult { Code = query["code"], State = query["state"], Iss = query["iss"] };
                },
            },
        }, sdkHttp);
    }

    [Benchmark(Baseline = true)]
    public Task StaticBearer() => _static.CallToolAsync("echo", Args).AsTask();

    [Benchmark]
    public Task McpAuthHandler() => _mcpAuth.CallToolAsync("echo", Args).AsTask();

    [Benchmark]
    public Task SdkOAuth() => _sdk.CallToolAsync("echo", Args).AsTask();

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var client in _clients)
        {
            client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        _http.ForEach(h => h.Dispose());
        _sandbox.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_root, recursive: true);
    }

    private static readonly Dictionary<string, object?> Args = new() { ["text"] = "hi" };

    private T Track<T>(T http) where T : IDisposable
    {
        _http.Add(http);
        return http;
    }

    private async Task<McpClient> ConnectAsync(HttpClientTransportOptions options, HttpClient http)
    {
        options.TransportMode = HttpTransportMode.StreamableHttp;
        var client = await McpClient.CreateAsync(new HttpClientTransport(options, http, ownsHttpClient: false),
            new McpClientOptions { ProtocolVersion = "2025-11-25" });
        _clients.Add(client);
        return client;
    }

    private sealed class StaticBearerHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
