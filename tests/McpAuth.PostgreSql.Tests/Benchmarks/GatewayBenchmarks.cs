using BenchmarkDotNet.Attributes;
using McpAuth.PostgreSql.Tests.Gateway;
using McpAuth.Storage;

namespace McpAuth.PostgreSql.Tests.Benchmarks;

/// <summary>
/// Refreshes per second: three replicas resolve the same burst of due credentials at once; each is refreshed once.
/// One operation is one refresh.
/// </summary>
[Config(typeof(InProcessJob.Burst))]
public class RefreshBurstBenchmark : GatewayBenchmarkBase
{
    public const int Burst = 300;
    private readonly IReadOnlyList<CredentialBinding> _bindings = GatewayReplica.Bindings(Burst, Issuer);
    private int _iteration;
    private long _before;

    [GlobalSetup]
    public void Setup() => Start();

    [GlobalCleanup]
    public void Cleanup() => Stop(nameof(RefreshBurst));

    [IterationSetup]
    public void ExpireAll()
    {
        Seed(_bindings, DateTimeOffset.UtcNow, $"i{_iteration++}");
        _before = StoreRoundTrips();
    }

    [IterationCleanup]
    public void Count() => Account(_before, Replicas * Burst);

    [Benchmark(OperationsPerInvoke = Burst)]
    public async Task RefreshBurst()
    {
        var reports = await Task.WhenAll(ReplicaSet.Select(r => r.ResolveAllAsync(_bindings, 16, CancellationToken.None)));
        if (reports.Sum(r => r.Errors) != 0 || reports.Sum(r => r.Refreshed) != Burst)
        {
            throw new InvalidOperationException($"burst failed: {reports.Sum(r => r.Errors)} errors, {reports.Sum(r => r.Refreshed)} refreshes");
        }
    }
}

/// <summary>
/// Bearer resolution latency under load: one request per iteration resolves a valid bearer on replica 0 while the three
/// replicas keep resolving other bearers on 8 tasks each.
/// </summary>
[Config(typeof(InProcessJob.Latency))]
public class BearerLatencyBenchmark : GatewayBenchmarkBase
{
    private const int Credentials = 2000;
    private const int LoadTasksPerReplica = 8;
    private readonly IReadOnlyList<CredentialBinding> _bindings = GatewayReplica.Bindings(Credentials, Issuer);
    private readonly CancellationTokenSource _stopLoad = new();
    private Task[] _load = [];
    private long _loadResolved;
    private long _before;

    [GlobalSetup]
    public void Setup()
    {
        Start();
        Seed(_bindings, DateTimeOffset.UtcNow.AddHours(1), "valid");
        _before = StoreRoundTrips();
        _load = ReplicaSet.SelectMany(r => Enumerable.Range(0, LoadTasksPerReplica).Select(_ => Task.Run(() => LoadAsync(r)))).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stopLoad.Cancel();
        Task.WhenAll(_load).GetAwaiter().GetResult();
        Account(_before, Interlocked.Read(ref _loadResolved));
        Stop(nameof(ResolveBearer));
    }

    [Benchmark]
    public async Task<string> ResolveBearer()
    {
        var credential = await ReplicaSet[0].ResolveAsync(_bindings[Random.Shared.Next(Credentials)], CancellationToken.None);
        Interlocked.Increment(ref _loadResolved);
        return credential.Tokens.AccessToken;
    }

    private async Task LoadAsync(GatewayReplica replica)
    {
        while (!_stopLoad.IsCancellationRequested)
        {
            await replica.ResolveAsync(_bindings[Random.Shared.Next(Credentials)], CancellationToken.None);
            Interlocked.Increment(ref _loadResolved);
        }
    }
}
