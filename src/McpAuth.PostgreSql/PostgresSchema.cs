using Microsoft.Extensions.Logging;
using Npgsql;

namespace McpAuth.PostgreSql;

/// <summary>
/// McpAuth's tables in one schema, and the migrations that create them. Migrations run on start under a session
/// advisory lock, one transaction per version, each recorded in <c>schema_version</c>: idempotent, and safe when several
/// replicas start at once (the others wait, then find nothing left to do).
/// </summary>
internal sealed partial class PostgresSchema
{
    private const int MaxNameLength = 63;

    public PostgresSchema(string name)
    {
        if (name.Length is 0 or > MaxNameLength || !(char.IsAsciiLetterLower(name[0]) || name[0] == '_')
            || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(PostgresTokenStoreOptions.Schema));
        }
        Name = name;
    }

    public string Name { get; }

    /// <summary>One row per entry; the primary key (kind, id) is also the index that lists one kind.</summary>
    public string Entries => $"\"{Name}\".entries";

    /// <summary>One row per refresh lease: holder, fencing token, expiry (never deleted, so fences only grow).</summary>
    public string Leases => $"\"{Name}\".leases";

    /// <summary>The sequence every write of an entry draws its new version from (so a deleted and re-made entry never repeats one).</summary>
    public string EntryVersions => $"\"{Name}\".entry_versions";

    /// <summary>One row per applied migration version.</summary>
    public string Versions => $"\"{Name}\".schema_version";

    /// <summary>The newest schema version this code knows.</summary>
    public int LatestVersion => Migrations().Count;

    /// <summary>The DDL of each version, in order: version N is element N-1. Never edit a released version; append.</summary>
    private IReadOnlyList<string> Migrations() =>
    [
        $"""
        CREATE TABLE {Entries} (
            kind text NOT NULL,
            id text NOT NULL,
            key_id text NULL,
            payload bytea NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (kind, id)
        )
        """,
        $"""
        CREATE SEQUENCE {EntryVersions};
        ALTER TABLE {Entries} ADD COLUMN version bigint NOT NULL DEFAULT nextval('{EntryVersions}');
        CREATE TABLE {Leases} (
            kind text NOT NULL,
            id text NOT NULL,
            holder text NOT NULL,
            fence bigint NOT NULL,
            expires_at timestamptz NOT NULL,
            PRIMARY KEY (kind, id)
        )
        """,
    ];

    /// <summary>Brings the schema to <see cref="LatestVersion"/>.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreUnavailable"/> when the database cannot be reached or its schema is newer than
    /// this code.
    /// </exception>
    public async Task MigrateAsync(NpgsqlDataSource dataSource, PostgresCommands commands, ILogger logger,
        CancellationToken cancellationToken)
    {
        var connection = await commands.OpenAsync(dataSource, "migrate", cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var lockKey = AdvisoryLockKeys.ForMigration(Name);
            await commands.ExecuteAsync(connection, "SELECT pg_advisory_lock(@k)", [new("k", lockKey)], "migrate",
                cancellationToken).ConfigureAwait(false);
            try
            {
                var current = await CurrentVersionAsync(connection, commands, cancellationToken).ConfigureAwait(false);
                if (current > LatestVersion)
                {
                    throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, $"schema version {current} is newer than {LatestVersion}");
                }
                for (var version = current + 1; version <= LatestVersion; version++)
                {
                    await ApplyAsync(connection, commands, version, cancellationToken).ConfigureAwait(false);
                    LogMigrated(logger, Name, version);
                }
            }
            finally
            {
                await UnlockAsync(connection, commands, lockKey).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Releases the migration lock; when the session is gone, the server has released it already.</summary>
    private static async Task UnlockAsync(NpgsqlConnection connection, PostgresCommands commands, long lockKey)
    {
        try
        {
            await commands.ExecuteAsync(connection, "SELECT pg_advisory_unlock(@k)", [new("k", lockKey)], "migrate",
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreUnavailable)
        {
            // Nothing to release: a dead session holds no locks.
        }
    }

    private async Task<int> CurrentVersionAsync(NpgsqlConnection connection, PostgresCommands commands, CancellationToken cancellationToken)
    {
        var exists = await commands.ScalarAsync<bool>(connection, "SELECT to_regclass(@t) IS NOT NULL", [new("t", Versions)],
            "migrate", cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            await commands.ExecuteAsync(connection, $"""
                CREATE SCHEMA IF NOT EXISTS "{Name}";
                CREATE TABLE IF NOT EXISTS {Versions} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, [], "migrate", cancellationToken).ConfigureAwait(false);
        }
        return await commands.ScalarAsync<int>(connection, $"SELECT coalesce(max(version), 0) FROM {Versions}", [], "migrate",
            cancellationToken).ConfigureAwait(false);
    }

    private async Task ApplyAsync(NpgsqlConnection connection, PostgresCommands commands, int version, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            await commands.ExecuteAsync(connection, $"""
                {Migrations()[version - 1]};
                INSERT INTO {Versions} (version) VALUES ({version})
                """, [], "migrate", cancellationToken).ConfigureAwait(false);
            await commands.CommitAsync(transaction, "migrate", cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrated PostgreSQL store schema {Schema} to version {Version}")]
    private static partial void LogMigrated(ILogger logger, string schema, int version);
}
