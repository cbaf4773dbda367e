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
        foreach (var replica in ReplicaSet)
        {
            replica.Forget(_bindings);
        }
        _before = StoreRoundTrips();
    }

    [IterationCleanup]
    public void Count() => Account(StoreRoundTrips() - _before, Replicas * Burst);

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
/// Bearer resolution latency under load, one request per measured iteration, on a probe replica while three other
/// replicas keep resolving bearers on 8 tasks each (a fifth of their requests miss their cache and read the store).
/// <see cref="CachedBearer"/> is a valid bearer already in memory; <see cref="UncachedBearer"/> is the first request
/// for a binding (as after a restart): one store read. Round trips are counted on the probe's store only.
/// </summary>
[Config(typeof(InProcessJob.Latency))]
public class BearerLatencyBenchmark : GatewayBenchmarkBase
{
    private const int Credentials = 2000;
    private const int LoadTasksPerReplica = 8;
    private readonly IReadOnlyList<CredentialBinding> _bindings = GatewayReplica.Bindings(Credentials, Issuer);
    private readonly CancellationTokenSource _stopLoad = new();
    private Task[] _load = [];
    private PostgresTokenStore _probeStore = null!;
    private GatewayReplica _probe = null!;
    private long _before;
    private string _method = "";

    [GlobalSetup(Target = nameof(CachedBearer))]
    public void SetupCached() => Setup(nameof(CachedBearer));

    [GlobalSetup(Target = nameof(UncachedBearer))]
    public void SetupUncached() => Setup(nameof(UncachedBearer));

    [GlobalCleanup]
    public void Cleanup()
    {
        _stopLoad.Cancel();
        Task.WhenAll(_load).GetAwaiter().GetResult();
        _probeStore.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Stop(_method);
    }

    [IterationSetup]
    public void Mark() => _before = _probeStore.RoundTrips;

    [IterationCleanup]
    public void Count() => Account(_probeStore.RoundTrips - _before, 1);

    [Benchmark]
    public ValueTask<string> CachedBearer() => _probe.ResolveBearerAsync(_bindings[Random.Shared.Next(Credentials)], CancellationToken.None);

    [Benchmark]
    public ValueTask<string> UncachedBearer()
    {
        var binding = _bindings[Random.Shared.Next(Credentials)];
        _probe.Forget([binding]);
        return _probe.ResolveBearerAsync(binding, CancellationToken.None);
    }

    private void Setup(string method)
    {
        _method = method;
        Start();
        Seed(_bindings, DateTimeOffset.UtcNow.AddHours(1), "valid");
        _probeStore = OpenStore("probe");
        _probe = Replica(_probeStore);
        _probe.ResolveAllAsync(_bindings, 8, CancellationToken.None).GetAwaiter().GetResult();
        _load = ReplicaSet.SelectMany(r => Enumerable.Range(0, LoadTasksPerReplica).Select(_ => Task.Run(() => LoadAsync(r)))).ToArray();
    }

    private async Task LoadAsync(GatewayReplica replica)
    {
        while (!_stopLoad.IsCancellationRequested)
        {
            var binding = _bindings[Random.Shared.Next(Credentials)];
            if (Random.Shared.Next(5) == 0)
            {
                replica.Forget([binding]);
            }
            await replica.ResolveBearerAsync(binding, CancellationToken.None);
            await Task.Yield();
        }
    }
}
