using System.Diagnostics;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.PostgreSql.Tests.Gateway;
using McpAuth.Storage;
using Npgsql;

namespace McpAuth.PostgreSql.Tests;

/// <summary>
/// Two stores over one schema stand for two gateway replicas on different machines: they share only the database.
/// These tests pin the store lock (<see cref="ITokenStore.LockAsync"/>, used by logins and logouts), which a dead
/// holder's session frees at once. Refreshes no longer run under it (issue 15): a lock that ended with its session let
/// another replica replay a refresh token while the first one's request was still in flight; refreshes take the lease,
/// which outlives its holder (<see cref="PostgresLeaseTests"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAdvisoryLockTests(PostgresServer server) : StoreTestContext(server)
{
    private static readonly StoreKey Credential = new(StoreEntryKind.Credential, "refresh-me");

    [Fact]
    public async Task Held_lock_excludes_another_replica_until_the_timeout()
    {
        var (replicaA, replicaB) = (await CreateStoreAsync(), await CreateStoreAsync());
        await using var held = await replicaA.LockAsync(Credential, TimeSpan.FromSeconds(5), CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<McpAuthException>(
            () => replicaB.LockAsync(Credential, TimeSpan.FromMilliseconds(300), CancellationToken.None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreLockTimeout, error.Code);
        Assert.Contains(Credential.ToString(), error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Zero_timeout_tries_once()
    {
        var (replicaA, replicaB) = (await CreateStoreAsync(), await CreateStoreAsync());
        await using var held = await replicaA.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None);

        var error = await Assert.ThrowsAsync<McpAuthException>(() => replicaB.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreLockTimeout, error.Code);
    }

    [Fact]
    public async Task Waiter_gets_the_lock_as_soon_as_the_holder_releases_it()
    {
        var (replicaA, replicaB) = (await CreateStoreAsync(), await CreateStoreAsync());
        var held = await replicaA.LockAsync(Credential, TimeSpan.FromSeconds(5), CancellationToken.None);
        var waiting = replicaB.LockAsync(Credential, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        await QueuedAsync();
        Assert.False(waiting.IsCompleted);

        var clock = Stopwatch.StartNew();
        await held.DisposeAsync();
        await using var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Replica_that_dies_holding_the_lock_does_not_block_the_others()
    {
        var (replicaA, replicaB) = (await CreateStoreAsync(), await CreateStoreAsync());
        var held = await replicaA.AcquireLockAsync(Credential, TimeSpan.FromSeconds(5), CancellationToken.None);
        var waiting = replicaB.LockAsync(Credential, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        await QueuedAsync();
        Assert.False(waiting.IsCompleted);

        Assert.True(await ScalarAsync<bool>($"SELECT pg_terminate_backend({held.BackendProcessId})"));

        await using var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        await held.DisposeAsync();
        await using var next = await replicaA.LockAsync(new StoreKey(StoreEntryKind.Credential, "other"), TimeSpan.Zero, CancellationToken.None);
    }

    [Fact]
    public async Task Replica_process_killed_holding_the_lock_releases_it_with_its_connection()
    {
        var survivor = await CreateStoreAsync();
        using var holder = ReplicaProcesses.StartLockHolder(
            new ReplicaSettings(Server.ConnectionString, Schema, Key, "https://as.example", "gateway", 0, 1), Credential.Id);
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            var error = await Assert.ThrowsAsync<McpAuthException>(() => survivor.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None).AsTask());
            Assert.Equal(McpAuthErrorCode.StoreLockTimeout, error.Code);

            holder.Kill(); // SIGKILL: no dispose, no unlock
            var clock = Stopwatch.StartNew();
            await using var taken = await survivor.LockAsync(Credential, TimeSpan.FromSeconds(10), CancellationToken.None);

            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill();
            }
        }
    }

    [Fact]
    public async Task Different_credentials_lock_independently()
    {
        var (replicaA, replicaB) = (await CreateStoreAsync(), await CreateStoreAsync());
        await using var first = await replicaA.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None);
        await using var second = await replicaB.LockAsync(new StoreKey(StoreEntryKind.Credential, "another"), TimeSpan.Zero, CancellationToken.None);
        var sameIdOtherKind = new StoreKey(StoreEntryKind.Registration, Credential.Id);
        await using var third = await replicaB.LockAsync(sameIdOtherKind, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(3L, await AdvisoryLocksAsync()); // three locks held at once, none of them taken from another
        var error = await Assert.ThrowsAsync<McpAuthException>(() => replicaB.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreLockTimeout, error.Code); // the first is still replica A's
    }

    [Fact]
    public async Task Released_lock_leaves_the_pooled_session_as_it_was_found()
    {
        // One pooled session, and no Npgsql reset on return: only the store's own cleanup can make this pass.
        await using var pool = NpgsqlDataSource.Create(Server.ConnectionString + ";Maximum Pool Size=1;No Reset On Close=true");
        var (replicaA, replicaB) = (await CreateStoreAsync(), await CreateStoreAsync(Options() with { ConnectionString = null, DataSource = pool }));
        await using (await replicaA.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None))
        {
            var error = await Assert.ThrowsAsync<McpAuthException>(
                () => replicaB.LockAsync(Credential, TimeSpan.FromMilliseconds(100), CancellationToken.None).AsTask());
            Assert.Equal(McpAuthErrorCode.StoreLockTimeout, error.Code);
        }
        var holder = await replicaA.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None);
        var waiter = replicaB.LockAsync(Credential, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        await QueuedAsync();
        await holder.DisposeAsync();
        await (await waiter).DisposeAsync();

        await using var session = await pool.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('lock_timeout') || ' ' || (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory')", session);
        Assert.Equal("0 0", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Cancelled_wait_throws_cancellation_and_leaves_nothing_held()
    {
        var (replicaA, replicaB) = (await CreateStoreAsync(), await CreateStoreAsync());
        var held = await replicaA.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => replicaB.LockAsync(Credential, TimeSpan.FromSeconds(30), cancel.Token).AsTask());

        await held.DisposeAsync();
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
    }

    [Fact]
    public async Task Disposing_twice_is_harmless()
    {
        var store = await CreateStoreAsync();
        var held = await store.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None);
        await held.DisposeAsync();
        await held.DisposeAsync();
        Assert.Equal(0L, await AdvisoryLocksAsync());

        await using var again = await store.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(1L, await AdvisoryLocksAsync());
        var otherReplica = await CreateStoreAsync();
        var error = await Assert.ThrowsAsync<McpAuthException>(
            () => otherReplica.LockAsync(Credential, TimeSpan.Zero, CancellationToken.None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreLockTimeout, error.Code); // the second dispose released nothing of the new holder's
    }

    /// <summary>Waits until a replica's session is queued in the server for an advisory lock (pg_locks, not granted).</summary>
    private Task QueuedAsync() => Eventually.UntilAsync(
        async () => await ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 1,
        "a replica queued for the advisory lock");

    private Task<long> AdvisoryLocksAsync() => ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
}
