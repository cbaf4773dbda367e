using McpAuth.IntegrationTests.Fixtures;
using Npgsql;

namespace McpAuth.PostgreSql.Tests.Faults;

/// <summary>The faults of issue 15, injected while the replicas refresh.</summary>
public enum Fault
{
    /// <summary>No fault: the control.</summary>
    None,

    /// <summary><c>pg_terminate_backend</c> of every replica session (those refreshing among them), again and again.</summary>
    TerminateSessions,

    /// <summary><c>pg_ctl restart -m fast</c>.</summary>
    RestartFast,

    /// <summary><c>pg_ctl restart -m immediate</c> (a crash and recovery).</summary>
    RestartImmediate,

    /// <summary>Stopped for a while, then started again.</summary>
    Down,

    /// <summary><c>default_transaction_read_only</c> on through <c>ALTER SYSTEM</c> and a reload: writes fail, reads work.</summary>
    ReadOnly,

    /// <summary>SIGKILL of the replica refreshing the most credentials (a replacement starts).</summary>
    KillReplica,
}

/// <summary>How long and how hard a run is: the short one runs in the test command, the long one on demand.</summary>
/// <param name="Credentials">Credentials shared by the replicas.</param>
/// <param name="FaultPhase">How long faults are injected.</param>
/// <param name="Settle">How long the replicas run after the last fault healed.</param>
/// <param name="Outage">How long the database stays down or read-only each time.</param>
/// <param name="Pause">The pause between two faults (terminations: a tenth of it).</param>
public sealed record FaultProfile(int Credentials, TimeSpan FaultPhase, TimeSpan Settle, TimeSpan Outage, TimeSpan Pause, FaultTiming Timing,
    int AccessTokenTtlSeconds, int[] RefreshDelayMs)
{
    /// <summary>
    /// A few seconds per fault; the whole short run in about two minutes. A lease rides out an outage shorter than two
    /// thirds of it (SECURITY.md §8), and a 2 s outage is 3-4 s with the stop and start on a loaded machine: 9 s leases
    /// (6 s leases once lost one grant in CI, with the renewals then still waiting a third of the lease after a failure).
    /// </summary>
    public static FaultProfile Short { get; } = new(20, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2),
        TimeSpan.FromSeconds(1.5), new FaultTiming(SkewMs: 1000, LeaseMs: 9000, LockTimeoutMs: 4000), AccessTokenTtlSeconds: 3,
        RefreshDelayMs: [200, 800]);

    /// <summary>The bad day: 50 credentials with 8-second tokens, answers in 0.5-2 s, outages of 30 s.</summary>
    public static FaultProfile Long { get; } = new(50, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30),
        TimeSpan.FromSeconds(15), new FaultTiming(SkewMs: 2000, LeaseMs: 60000, LockTimeoutMs: 20000), AccessTokenTtlSeconds: 8,
        RefreshDelayMs: [500, 2000]);
}

/// <summary>Injects one kind of fault into the database (or the fleet) until told to stop, then heals it.</summary>
public sealed class DatabaseFaults(PostgresServer server, FaultFleet fleet, FaultProfile profile)
{
    /// <summary>Marks the replicas' sessions, so terminations hit them and not the test's own.</summary>
    public const string ReplicaApplicationName = "mcpauth-fault-replica";

    public int Injected { get; private set; }

    public async Task RunAsync(Fault fault, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var pause = fault == Fault.TerminateSessions ? profile.Pause / 4 : profile.Pause;
            await Task.Delay(pause * (0.5 + Random.Shared.NextDouble()), CancellationToken.None);
            if (stop.IsCancellationRequested)
            {
                return;
            }
            await InjectAsync(fault);
        }
    }

    private async Task InjectAsync(Fault fault)
    {
        Injected += fault == Fault.None ? 0 : 1;
        switch (fault)
        {
            case Fault.TerminateSessions:
                await ExecuteAsync($"""
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{ReplicaApplicationName}'
                    """);
                break;
            case Fault.RestartFast:
                await server.RestartAsync("fast");
                break;
            case Fault.RestartImmediate:
                await server.RestartAsync("immediate");
                break;
            case Fault.Down:
                await server.StopAsync("fast");
                await Task.Delay(profile.Outage);
                await server.StartAgainAsync();
                break;
            case Fault.ReadOnly:
                await SetReadOnlyAsync(true);
                await Task.Delay(profile.Outage);
                await SetReadOnlyAsync(false);
                break;
            case Fault.KillReplica:
                await fleet.KillBusiestAsync();
                break;
        }
    }

    private Task SetReadOnlyAsync(bool readOnly) => ExecuteAsync(readOnly
        ? "ALTER SYSTEM SET default_transaction_read_only = on; SELECT pg_reload_conf()"
        : "SET default_transaction_read_only = off; ALTER SYSTEM RESET default_transaction_read_only; SELECT pg_reload_conf()");

    private async Task ExecuteAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        foreach (var statement in sql.Split("; "))
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
