using System.Collections.Concurrent;
using System.Security.Cryptography;
using McpAuth.Http;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.PostgreSql.Tests.Gateway;
using McpAuth.Storage;

namespace McpAuth.PostgreSql.Tests.Benchmarks;

/// <summary>
/// A real PostgreSQL server, the rotating token endpoint and three gateway replicas (three stores with their own
/// connection pools, as three machines would have) for the gateway benchmarks.
/// </summary>
public abstract class GatewayBenchmarkBase
{
    public const int Replicas = 3;
    protected const string Issuer = "https://as.example";

    /// <summary>Results the custom column shows, by benchmark method; the benchmarks run in-process.</summary>
    public static readonly ConcurrentDictionary<string, double> RoundTripsPerBearer = new();

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private PostgresServer _server = null!;
    private HttpClient _http = null!;
    private long _roundTrips;
    private long _resolved;

    protected RotatingTokenEndpoint Endpoint { get; private set; } = null!;

    protected PostgresTokenStore[] Stores { get; private set; } = [];

    protected GatewayReplica[] ReplicaSet { get; private set; } = [];

    protected TokenVault Seeder { get; private set; } = null!;

    protected void Start()
    {
        _server = new PostgresServer();
        _server.InitializeAsync().GetAwaiter().GetResult();
        Endpoint = RotatingTokenEndpoint.StartAsync(TimeSpan.Zero).GetAwaiter().GetResult();
        var options = new PostgresTokenStoreOptions { ConnectionString = _server.ConnectionString, EnvelopeKey = _key };
        Stores = Enumerable.Range(0, Replicas)
            .Select(i => PostgresTokenStore.CreateAsync(options with { ConnectionString = $"{_server.ConnectionString};Application Name=replica{i}" },
                CancellationToken.None).GetAwaiter().GetResult())
            .ToArray();
        Seeder = new TokenVault(PostgresTokenStore.CreateAsync(options, CancellationToken.None).GetAwaiter().GetResult());
        _http = new HttpClient(OAuthHttpClient.CreateDefaultHandler());
        ReplicaSet = Stores.Select(s => new GatewayReplica(s, new OAuthHttpClient(_http), TimeSpan.FromSeconds(60))).ToArray();
    }

    protected void Stop(string benchmark)
    {
        RoundTripsPerBearer[benchmark] = _resolved == 0 ? double.NaN : (double)_roundTrips / _resolved;
        foreach (var store in Stores)
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        ((PostgresTokenStore)Seeder.Store).DisposeAsync().AsTask().GetAwaiter().GetResult();
        _http.Dispose();
        Endpoint.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().GetAwaiter().GetResult();
    }

    protected long StoreRoundTrips() => Stores.Sum(s => s.RoundTrips);

    /// <summary>Adds the round trips the replicas made since <paramref name="before"/> for <paramref name="resolved"/> bearers.</summary>
    protected void Account(long before, long resolved)
    {
        Interlocked.Add(ref _roundTrips, StoreRoundTrips() - before);
        Interlocked.Add(ref _resolved, resolved);
    }

    /// <summary>Stores credentials for <paramref name="bindings"/> with new refresh token families, expiring at <paramref name="expiresAt"/>.</summary>
    protected void Seed(IReadOnlyList<CredentialBinding> bindings, DateTimeOffset expiresAt, string generation) =>
        Parallel.ForEachAsync(bindings.Select((binding, i) => (binding, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (item, ct) => await Seeder.SaveCredentialAsync(new StoredCredential
            {
                Binding = item.binding,
                Tokens = new TokenSet { AccessToken = $"at.{generation}.{item.i}", RefreshToken = Endpoint.Issue($"{generation}-{item.i}"), ExpiresAt = expiresAt },
                TokenEndpoint = Endpoint.TokenEndpoint.ToString(),
            }, ct)).GetAwaiter().GetResult();
}
