using BenchmarkDotNet.Attributes;
using McpAuth.Engine.Lifecycle;
using McpAuth.Engine.Refresh;
using McpAuth.Storage;

namespace McpAuth.Benchmarks;

/// <summary>
/// The per-request cost of resolving a cached, valid bearer token (target: under 100 ns, 0 bytes allocated).
/// <see cref="SameBinding"/> looks up with the instance the caller keeps; <see cref="EqualBinding"/> with an equal,
/// separately built instance (hash cached in each, strings compared). <see cref="ClockOnly"/> is the clock read alone.
/// On a shared, loaded machine compare Min and Median: Mean includes time the benchmark thread was descheduled.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class CachedBearerBenchmarks
{
    private CredentialLifecycle _lifecycle = null!;
    private CredentialBinding _binding = null!;
    private CredentialBinding _equalBinding = null!;

    [GlobalSetup]
    public void Setup()
    {
        _binding = new CredentialBinding("default", "https://mcp.example.com/mcp", "https://auth.example.com", "client-0123456789");
        _equalBinding = new CredentialBinding(new string("default".AsSpan()), new string("https://mcp.example.com/mcp".AsSpan()),
            new string("https://auth.example.com".AsSpan()), new string("client-0123456789".AsSpan()));
        _lifecycle = new CredentialLifecycle(new TokenVault(new InMemoryTokenStore()), TimeProvider.System, new RefreshOptions());
        for (var i = 0; i < 100; i++) // other credentials in the cache, as in a gateway
        {
            _lifecycle.SaveAuthorizationAsync(Credential(_binding with { Profile = "user-" + i }), CancellationToken.None).AsTask().Wait();
        }
        _lifecycle.SaveAuthorizationAsync(Credential(_binding), CancellationToken.None).AsTask().Wait();
        _ = _equalBinding.GetHashCode();
    }

    [Benchmark(Baseline = true)]
    public string SameBinding() =>
        _lifecycle.TryGetCachedAccessToken(_binding, out var token) ? token : throw new InvalidOperationException("not cached");

    [Benchmark]
    public string EqualBinding() =>
        _lifecycle.TryGetCachedAccessToken(_equalBinding, out var token) ? token : throw new InvalidOperationException("not cached");

    /// <summary>The clock read alone (part of every lookup), to see how much of the cost is the clock.</summary>
    [Benchmark]
    public long ClockOnly() => TimeProvider.System.GetUtcNow().UtcTicks;

    private static StoredCredential Credential(CredentialBinding binding) => new()
    {
        Binding = binding,
        Tokens = new TokenSet { AccessToken = "at-" + binding.Profile, RefreshToken = "rt", ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) },
        TokenEndpoint = "https://auth.example.com/token",
    };
}
