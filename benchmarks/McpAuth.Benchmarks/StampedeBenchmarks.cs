using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using McpAuth.Engine;
using McpAuth.Storage;
using McpAuth.Storage.Keys;

namespace McpAuth.Benchmarks;

/// <summary>
/// The 8 × 16 stampede: 8 engines (each its own McpAuthClient and FileTokenStore over one home, as 8 processes
/// have) with 16 concurrent callers each ask for the same expired credential; exactly one refresh reaches the
/// token endpoint (checked every iteration). <see cref="TokenEndpointRefresh"/> is the token endpoint's own
/// refresh_token latency (a raw request, same server, same run): the target is Stampede ≤ TokenEndpointRefresh + 50 ms
/// at the median. The token endpoint is the sandbox AS with <see cref="TokenLatency"/> of simulated work.
/// </summary>
[Config(typeof(StampedeConfig))]
public class StampedeBenchmarks
{
    public const int Engines = 8;
    public const int CallersPerEngine = 16;
    private static readonly TimeSpan TokenLatency = TimeSpan.FromMilliseconds(100);

    private readonly ShiftedTime _time = new();
    private readonly List<McpAuthClient> _engines = [];
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });
    private Sandbox.Sandbox _sandbox = null!;
    private string _home = null!;
    private Uri _server = null!;
    private (Uri Endpoint, string ClientId, string? Secret, string RefreshToken) _raw;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _sandbox = await Sandbox.Sandbox.StartAsync(new Sandbox.SandboxOptions { AuthorizationServer = new() { TokenLatency = TokenLatency } });
        _server = _sandbox.McpServerUrl;
        _home = Directory.CreateTempSubdirectory("mcpauth-stampede-").FullName;
        var first = Engine();
        await first.AuthorizeAsync(_server, new HeadlessAuthorizationInteraction(_http), CancellationToken.None);
        for (var i = 0; i < Engines; i++)
        {
            _engines.Add(Engine());
        }
        // A second login whose refresh token the raw benchmark rotates by itself.
        var vault = new TokenVault(Store());
        var registration = (await vault.ListRegistrationsAsync(CancellationToken.None)).Single();
        var other = new McpAuthClient(new McpAuthOptions { Profile = "raw" }, vault, _http, _time);
        await other.AuthorizeAsync(_server, new HeadlessAuthorizationInteraction(_http), CancellationToken.None);
        var raw = (await vault.ListCredentialsAsync(CancellationToken.None)).Credentials.Single(c => c.Binding.Profile == "raw");
        _raw = (new Uri(raw.TokenEndpoint), registration.ClientId, registration.ClientSecret, raw.Tokens.RefreshToken!);
    }

    [IterationSetup]
    public void Expire() => _time.Shift += TimeSpan.FromHours(2);

    [Benchmark]
    public async Task Stampede()
    {
        var before = _sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token");
        var tokens = await Task.WhenAll(_engines.SelectMany(e => Enumerable.Range(0, CallersPerEngine)
            .Select(_ => Task.Run(() => e.GetAccessTokenAsync(_server, CancellationToken.None)))));
        if (tokens.Select(t => t.Value).Distinct().Count() != 1 || _sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token") != before + 1)
        {
            throw new InvalidOperationException("the stampede must cause exactly one refresh and give every caller its token");
        }
    }

    [Benchmark(Baseline = true)]
    public async Task TokenEndpointRefresh()
    {
        List<KeyValuePair<string, string>> form = [new("grant_type", "refresh_token"), new("refresh_token", _raw.RefreshToken)];
        if (_raw.Secret is null)
        {
            form.Add(new("client_id", _raw.ClientId));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, _raw.Endpoint) { Content = new FormUrlEncodedContent(form) };
        if (_raw.Secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(_raw.ClientId)}:{Uri.EscapeDataString(_raw.Secret)}")));
        }
        using var response = await _http.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        _raw.RefreshToken = json.RootElement.GetProperty("refresh_token").GetString()!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sandbox.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _http.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    private McpAuthClient Engine() => new(new McpAuthOptions(), new TokenVault(Store()), _http, _time);

    private FileTokenStore Store() =>
        FileTokenStore.Open(new FileTokenStoreOptions { Home = _home, KeyProtectors = [new KeyFileProtector(Path.Combine(_home, "store.key"))] });

    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
    }

    private sealed class StampedeConfig : ManualConfig
    {
        public StampedeConfig()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
                .WithWarmupCount(3).WithIterationCount(30).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(StatisticColumn.Min, StatisticColumn.Median, StatisticColumn.P90);
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }
}
