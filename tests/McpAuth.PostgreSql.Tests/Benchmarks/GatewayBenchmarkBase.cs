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

    protected PostgresTokenStore OpenStore(string name) =>
        PostgresTokenStore.CreateAsync(new PostgresTokenStoreOptions
        {
            // Sized below the server's max_connections (100) for all stores together; see PostgresTokenStoreOptions.
            ConnectionString = $"{_server.ConnectionString};Application Name={name};Maximum Pool Size=20",
            EnvelopeKey = _key,
        }, CancellationToken.None).GetAwaiter().GetResult();

    protected GatewayReplica Replica(PostgresTokenStore store) => new(store, new OAuthHttpClient(_http), TimeSpan.FromSeconds(60));

    protected void Start()
    {
        _server = new PostgresServer();
        _server.InitializeAsync().GetAwaiter().GetResult();
        Endpoint = RotatingTokenEndpoint.StartAsync(TimeSpan.Zero).GetAwaiter().GetResult();
        Stores = Enumerable.Range(0, Replicas).Select(i => OpenStore($"replica{i}")).ToArray();
        Seeder = new TokenVault(OpenStore("seeder"));
        _http = new HttpClient(OAuthHttpClient.CreateDefaultHandler());
        ReplicaSet = Stores.Select(Replica).ToArray();
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

    /// <summary>Adds <paramref name="roundTrips"/> database round trips made for <paramref name="resolved"/> bearers.</summary>
    protected void Account(long roundTrips, long resolved)
    {
        Interlocked.Add(ref _roundTrips, roundTrips);
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
