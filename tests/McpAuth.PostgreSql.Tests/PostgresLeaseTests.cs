using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.PostgreSql.Tests.Gateway;
using McpAuth.Storage;

namespace McpAuth.PostgreSql.Tests;

/// <summary>
/// The refresh lease across real replica processes: unlike the store lock, it survives its holder's session being
/// terminated and its holder's process being killed, until it expires (the holder may have spent the refresh token).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLeaseTests(PostgresServer server) : StoreTestContext(server)
{
    private static readonly StoreKey Credential = new(StoreEntryKind.Credential, "leased");

    [Fact]
    public async Task A_lease_survives_its_holders_terminated_sessions_and_its_killed_process()
    {
        using var holder = ReplicaProcesses.StartLeaseHolder(
            new ReplicaSettings(Server.ConnectionString, Schema, Key, "https://as.example", "gateway", 0, 1), Credential.Id);
        try
        {
            var leased = await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("leased ", leased, StringComparison.Ordinal);

            await ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()");
            holder.Kill(); // SIGKILL: no release
            await holder.WaitForExitAsync();
            var survivor = await CreateStoreAsync(); // opened after the terminations: its sessions are new

            Assert.Null(await survivor.TryAcquireLeaseAsync(Credential, "survivor", TimeSpan.FromMinutes(1), CancellationToken.None));
            await ExecuteAsync($"UPDATE {Schema}.leases SET expires_at = clock_timestamp() WHERE id = '{Credential.Id}'"); // 60 s later
            var taken = await survivor.TryAcquireLeaseAsync(Credential, "survivor", TimeSpan.FromMinutes(1), CancellationToken.None);
            Assert.NotNull(taken);
            Assert.True(taken.Fence > long.Parse(leased!["leased ".Length..], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill();
            }
        }
    }
}
