using McpAuth.Http;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Benchmarks;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.PostgreSql.Tests.Gateway;

/// <summary>
/// The test assembly doubles as a gateway replica: <c>dotnet exec McpAuth.PostgreSql.Tests.dll gateway</c>, configured by
/// environment variables. It prints "ready", waits for "go" on stdin (so replicas start together), resolves every binding
/// and prints its <see cref="GatewayReport"/> as JSON on the last line. The test host never calls this.
/// </summary>
public static class GatewayProgram
{
    public const string ConnectionVariable = "MCPAUTH_PG_CONNECTION";
    public const string SchemaVariable = "MCPAUTH_PG_SCHEMA";
    public const string KeyVariable = "MCPAUTH_PG_KEY";
    public const string IssuerVariable = "MCPAUTH_GATEWAY_ISSUER";
    public const string ClientIdVariable = "MCPAUTH_GATEWAY_CLIENT_ID";
    public const string CountVariable = "MCPAUTH_GATEWAY_COUNT";
    public const string ConcurrencyVariable = "MCPAUTH_GATEWAY_CONCURRENCY";

    public static async Task<int> Main(string[] args)
    {
        if (args is ["bench", .. var benchArgs])
        {
            return GatewayBenchmarkRunner.Run(benchArgs);
        }
        if (args is ["fault-replica"])
        {
            return await Faults.FaultReplicaProgram.RunAsync();
        }
        if (args is not (["gateway"] or ["hold-lock", _] or ["hold-lease", _]))
        {
            await Console.Error.WriteLineAsync(
                "usage: gateway | hold-lock <credential id> | hold-lease <credential id> | fault-replica (configured by MCPAUTH_* environment variables) | bench [BenchmarkDotNet args]");
            return 2;
        }
        await using var store = await PostgresTokenStore.CreateAsync(new PostgresTokenStoreOptions
        {
            ConnectionString = Variable(ConnectionVariable),
            Schema = Variable(SchemaVariable),
            EnvelopeKeyBase64 = Variable(KeyVariable),
            LoggerFactory = SuiteLoggerFactory.Instance, // logs at Trace for the secret sweep
        }, CancellationToken.None);
        if (args is ["hold-lock", var id])
        {
            // A replica that takes a refresh lock and then dies (the test kills it) without releasing anything.
            await store.LockAsync(new StoreKey(StoreEntryKind.Credential, id), TimeSpan.FromSeconds(30), CancellationToken.None);
            Console.WriteLine("locked");
            await Task.Delay(Timeout.Infinite);
        }
        if (args is ["hold-lease", var leased])
        {
            // A replica that takes a refresh lease (60 s) and then dies (the test kills it) without releasing it.
            var lease = await store.TryAcquireLeaseAsync(new StoreKey(StoreEntryKind.Credential, leased), "killed-replica",
                TimeSpan.FromSeconds(60), CancellationToken.None);
            Console.WriteLine(lease is null ? "busy" : $"leased {lease.Fence}");
            await Task.Delay(Timeout.Infinite);
        }
        using var http = new HttpClient(OAuthHttpClient.CreateDefaultHandler());
        var replica = new GatewayReplica(store, new OAuthHttpClient(http), TimeSpan.FromSeconds(60),
            SuiteLoggerFactory.Instance.CreateLogger("McpAuth.PostgreSql.Tests.Gateway"));
        var bindings = GatewayReplica.Bindings(int.Parse(Variable(CountVariable)), Variable(IssuerVariable),
            Variable(ClientIdVariable));
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 3;
        }
        var report = await replica.ResolveAllAsync(bindings, int.Parse(Variable(ConcurrencyVariable)), CancellationToken.None);
        Console.WriteLine(GatewayReplica.Serialize(report));
        return report.Errors == 0 ? 0 : 1;
    }

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set");
}
