using System.Data;
using System.Globalization;
using Npgsql;

namespace McpAuth.PostgreSql;

/// <summary>
/// A session-level PostgreSQL advisory lock held on a dedicated pooled connection. It excludes every other session on
/// the database (other threads, processes and machines), and the server releases it when the session ends: on dispose,
/// when the holder's process dies (its socket closes), or when the server's TCP keepalives find the holder's machine
/// gone (set on the lock session to about 25 seconds). Waiting uses <c>pg_advisory_lock</c> under a
/// <c>lock_timeout</c>, so a waiter wakes the moment the holder releases, with no polling.
/// </summary>
internal sealed class PostgresAdvisoryLock : IAsyncDisposable
{
    private const string LockNotAvailable = "55P03";

    /// <summary>Fast path: one round trip when the lock is free. Also arms server-side keepalives on this session.</summary>
    private const string TryLockSql = """
        SELECT pg_try_advisory_lock($1), set_config('tcp_keepalives_idle', '10', false),
               set_config('tcp_keepalives_interval', '5', false), set_config('tcp_keepalives_count', '3', false)
        """;

    /// <summary>Leaves the pooled session as it was found.</summary>
    private const string ReleaseSql = """
        SELECT pg_advisory_unlock_all();
        RESET lock_timeout; RESET tcp_keepalives_idle; RESET tcp_keepalives_interval; RESET tcp_keepalives_count
        """;

    private readonly NpgsqlConnection _connection;
    private readonly PostgresCommands _commands;
    private int _released;

    private PostgresAdvisoryLock(NpgsqlConnection connection, PostgresCommands commands)
    {
        _connection = connection;
        _commands = commands;
    }

    /// <summary>The server process id of the session holding the lock (for diagnostics and tests).</summary>
    internal int BackendProcessId => _connection.ProcessID;

    /// <summary>Takes the lock, waiting at most <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no limit).</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreLockTimeout"/> naming <paramref name="name"/>;
    /// <see cref="McpAuthErrorCode.StoreUnavailable"/> when the database cannot be reached.
    /// </exception>
    public static async Task<PostgresAdvisoryLock> AcquireAsync(NpgsqlDataSource dataSource, PostgresCommands commands, long lockKey,
        string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout));
        }
        var connection = await commands.OpenAsync(dataSource, "lock", cancellationToken).ConfigureAwait(false);
        try
        {
            if (await TryLockAsync(connection, commands, lockKey, cancellationToken).ConfigureAwait(false)
                || await WaitAsync(connection, commands, lockKey, timeout, cancellationToken).ConfigureAwait(false))
            {
                return new PostgresAdvisoryLock(connection, commands);
            }
            throw new McpAuthException(McpAuthErrorCode.StoreLockTimeout, name);
        }
        catch
        {
            await ReleaseAsync(connection, commands).ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            await ReleaseAsync(_connection, _commands).ConfigureAwait(false);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, PostgresCommands commands, long lockKey,
        CancellationToken cancellationToken)
    {
        var command = PostgresCommands.Command(connection, TryLockSql, [new() { Value = lockKey }]);
        return await commands.RunAsync(command, "lock", async (c, ct) => (bool)(await c.ExecuteScalarAsync(ct).ConfigureAwait(false))!,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Blocks in the server until the lock is free or <c>lock_timeout</c> fires (SQLSTATE 55P03): one round trip.</summary>
    private static async Task<bool> WaitAsync(NpgsqlConnection connection, PostgresCommands commands, long lockKey, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        if (timeout == TimeSpan.Zero)
        {
            return false;
        }
        var infinite = timeout == Timeout.InfiniteTimeSpan;
        var milliseconds = infinite ? 0 : (long)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 1, int.MaxValue);
        var command = PostgresCommands.Command(connection,
            $"SET lock_timeout = {milliseconds.ToString(CultureInfo.InvariantCulture)}; SELECT pg_advisory_lock(@k)",
            [new("k", lockKey)]);
        // The client-side timeout outlasts lock_timeout, so the server's answer (lock or 55P03) always arrives first.
        command.CommandTimeout = infinite ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalSeconds) + 15);
        try
        {
            await commands.RunAsync(command, "lock", (c, ct) => c.ExecuteNonQueryAsync(ct), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (McpAuthException e) when (e.InnerException is PostgresException { SqlState: LockNotAvailable })
        {
            return false;
        }
    }

    /// <summary>
    /// Unlocks and returns the session to the pool. When that fails on a session that is still open, the pool is cleared
    /// so the session is closed (and its locks released) instead of being reused; a session already gone holds nothing.
    /// </summary>
    private static async Task ReleaseAsync(NpgsqlConnection connection, PostgresCommands commands)
    {
        await using (connection.ConfigureAwait(false))
        {
            if (connection.State != ConnectionState.Open)
            {
                return;
            }
            try
            {
                await commands.ExecuteAsync(connection, ReleaseSql, [], "unlock", CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is McpAuthException or InvalidOperationException)
            {
                if (connection.State == ConnectionState.Open)
                {
                    NpgsqlConnection.ClearPool(connection);
                }
            }
        }
    }
}
