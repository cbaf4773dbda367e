using Npgsql;

namespace McpAuth.PostgreSql;

/// <summary>
/// Runs the store's SQL: counts every database round trip and turns Npgsql failures into
/// <see cref="McpAuthErrorCode.StoreUnavailable"/>. The detail names the operation only, never the connection string.
/// Cancellation passes through untouched.
/// </summary>
internal sealed class PostgresCommands
{
    private long _roundTrips;

    /// <summary>Round trips so far: one per command or batch sent (opening a pooled connection costs none).</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    public static McpAuthException Unavailable(string operation, Exception innerException) =>
        new(McpAuthErrorCode.StoreUnavailable, operation, innerException);

    public async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw Unavailable(operation, e);
        }
    }

    public Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, NpgsqlParameter[] parameters, string operation,
        CancellationToken cancellationToken) =>
        RunAsync(Command(connection, sql, parameters), operation, (c, ct) => c.ExecuteNonQueryAsync(ct), cancellationToken);

    public Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, NpgsqlParameter[] parameters, string operation,
        CancellationToken cancellationToken) =>
        RunAsync(Command(connection, sql, parameters), operation, ScalarAsync<T>, cancellationToken);

    public async Task CommitAsync(NpgsqlTransaction transaction, string operation, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _roundTrips);
        try
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw Unavailable(operation, e);
        }
    }

    /// <summary>Runs one command (which may open and close its own pooled connection) and disposes it.</summary>
    public async Task<T> RunAsync<T>(NpgsqlCommand command, string operation, Func<NpgsqlCommand, CancellationToken, Task<T>> execute,
        CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            Interlocked.Increment(ref _roundTrips);
            try
            {
                return await execute(command, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e)
            {
                throw Unavailable(operation, e);
            }
        }
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlCommand command, CancellationToken cancellationToken) =>
        (T)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
}
