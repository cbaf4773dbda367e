using System.Globalization;
using McpAuth.Engine.Refresh;
using McpAuth.Http;
using McpAuth.PostgreSql.Tests.Gateway;

namespace McpAuth.PostgreSql.Tests.Faults;

/// <summary>
/// The entry of a fault replica process, configured by the gateway's environment variables (database, schema, key,
/// issuer, client id, credentials, callers) and the refresh timing below. Prints "ready", runs until "stop" (or the end
/// of stdin), then prints "report {json}".
/// </summary>
public static class FaultReplicaProgram
{
    public const string SkewVariable = "MCPAUTH_FAULT_SKEW_MS";
    public const string LeaseVariable = "MCPAUTH_FAULT_LEASE_MS";
    public const string LockTimeoutVariable = "MCPAUTH_FAULT_LOCK_TIMEOUT_MS";

    public static async Task<int> RunAsync()
    {
        await using var store = await PostgresTokenStore.CreateAsync(new PostgresTokenStoreOptions
        {
            ConnectionString = Variable(GatewayProgram.ConnectionVariable),
            Schema = Variable(GatewayProgram.SchemaVariable),
            EnvelopeKeyBase64 = Variable(GatewayProgram.KeyVariable),
        }, CancellationToken.None);
        using var http = new HttpClient(OAuthHttpClient.CreateDefaultHandler());
        var bindings = GatewayReplica.Bindings(Number(GatewayProgram.CountVariable), Variable(GatewayProgram.IssuerVariable),
            Variable(GatewayProgram.ClientIdVariable));
        var replica = new FaultReplica(store, new OAuthHttpClient(http), bindings, Options());
        Console.WriteLine("ready");
        // Console.In reads synchronously even through ReadLineAsync: wait for "stop" on a thread of its own.
        var stop = Task.Run(Console.In.ReadLine);
        var report = await replica.RunAsync(Number(GatewayProgram.ConcurrencyVariable), stop);
        Console.WriteLine("report " + FaultReplica.Serialize(report));
        return 0;
    }

    /// <summary>The refresh timing every replica (and the final check) uses, from the environment.</summary>
    public static RefreshOptions Options() => Options(Number(SkewVariable), Number(LeaseVariable), Number(LockTimeoutVariable));

    public static RefreshOptions Options(int skewMs, int leaseMs, int lockTimeoutMs) => new()
    {
        Skew = TimeSpan.FromMilliseconds(skewMs),
        LeaseDuration = TimeSpan.FromMilliseconds(leaseMs),
        LockTimeout = TimeSpan.FromMilliseconds(lockTimeoutMs),
        MaxTransientRetries = 2,
        BaseBackoff = TimeSpan.FromMilliseconds(200),
        MaxBackoff = TimeSpan.FromSeconds(2),
    };

    private static int Number(string name) => int.Parse(Variable(name), CultureInfo.InvariantCulture);

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set");
}
