using McpAuth.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace McpAuth.PostgreSql;

/// <summary>
/// An <see cref="ITokenStore"/> in PostgreSQL, for gateways whose replicas share one database. One row per entry, sealed
/// with AES-256-GCM under the operator's envelope key (key id stored beside it), with a version drawn from a sequence at
/// every write. Writes are single statements, so readers see the old or the new value. Refresh leases are rows in
/// <c>leases</c> (holder, fencing token, expiry by the database's clock): they survive the holder's session, so a
/// terminated session, a restart or a network loss never hands a credential to another replica while its refresh may
/// still be in flight. <see cref="LockAsync"/> (logins, logouts) is a session-level advisory lock, released with its
/// session.
/// </summary>
public sealed partial class PostgresTokenStore : ITokenStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresSchema _schema;
    private readonly IEntryCipher _cipher;
    private readonly PostgresCommands _commands = new();
    private readonly ILogger _logger;
    private readonly PostgresLeases _leases;

    private PostgresTokenStore(NpgsqlDataSource dataSource, bool ownsDataSource, PostgresSchema schema, IEntryCipher cipher,
        ILogger logger)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schema = schema;
        _cipher = cipher;
        _logger = logger;
        _leases = new PostgresLeases(dataSource, schema, _commands);
    }

    public string BackendName => "postgresql";

    /// <summary>The schema holding the store's tables.</summary>
    public string Schema => _schema.Name;

    /// <summary>Database round trips made by this store so far (commands and batches sent, lock calls included).</summary>
    public long RoundTrips => _commands.RoundTrips;

    /// <summary>Connects, creates or migrates the schema, and returns a ready store.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreKeyUnavailable"/> when no envelope key is given (and plaintext was not asked for);
    /// <see cref="McpAuthErrorCode.InvalidConfiguration"/> naming the option that is wrong;
    /// <see cref="McpAuthErrorCode.StoreUnavailable"/> when the database cannot be reached or its schema is newer.
    /// </exception>
    public static async Task<PostgresTokenStore> CreateAsync(PostgresTokenStoreOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cipher = EnvelopeKeys.CreateCipher(options);
        var schema = new PostgresSchema(options.Schema);
        var logger = options.LoggerFactory?.CreateLogger<PostgresTokenStore>() ?? (ILogger)NullLogger.Instance;
        var (dataSource, owns) = DataSourceFor(options);
        var store = new PostgresTokenStore(dataSource, owns, schema, cipher, logger);
        try
        {
            if (cipher is PlaintextEntryCipher)
            {
                LogPlaintext(logger, schema.Name);
            }
            await schema.MigrateAsync(dataSource, store._commands, logger, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken) =>
        (await ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false))?.Value;

    /// <inheritdoc/>
    /// <remarks>The version is the row's <c>version</c> column, drawn from a sequence at every write.</remarks>
    public async ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken)
    {
        var command = EntryCommand($"SELECT key_id, payload, version FROM {_schema.Entries} WHERE kind = @kind AND id = @id", key);
        var row = await _commands.RunAsync(command, "read", ReadRowAsync, cancellationToken).ConfigureAwait(false);
        if (row is not var (keyId, payload, version))
        {
            return null;
        }
        try
        {
            return new VersionedEntry(_cipher.Open(key, keyId, payload), version);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreEntryCorrupt)
        {
            LogUnreadable(_logger, key.ToString());
            throw;
        }
    }

    public async ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var command = EntryCommand($"""
            INSERT INTO {_schema.Entries} (kind, id, key_id, payload) VALUES (@kind, @id, @key_id, @payload)
            ON CONFLICT (kind, id) DO UPDATE SET key_id = excluded.key_id, payload = excluded.payload, updated_at = now(),
                version = nextval('{_schema.EntryVersions}')
            """, key);
        command.Parameters.Add(new("key_id", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)_cipher.KeyId ?? DBNull.Value });
        command.Parameters.Add(new("payload", _cipher.Seal(key, value.Span)));
        await _commands.RunAsync(command, "write", (c, ct) => c.ExecuteNonQueryAsync(ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken) =>
        await _leases.WriteIfAsync(key, _cipher.KeyId, _cipher.Seal(key, value.Span), expectedVersion, lease, cancellationToken)
            .ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>A row in <c>leases</c>, expiring by the database's clock; it survives the holder's session.</remarks>
    public async ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return await _leases.TryAcquireAsync(key, holder, duration, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await _leases.RenewAsync(lease, duration, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await _leases.ReleaseAsync(lease, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken)
    {
        var command = EntryCommand($"DELETE FROM {_schema.Entries} WHERE kind = @kind AND id = @id", key);
        var deleted = await _commands.RunAsync(command, "delete", (c, ct) => c.ExecuteNonQueryAsync(ct), cancellationToken)
            .ConfigureAwait(false);
        return deleted > 0;
    }

    /// <summary>
    /// Key rotation's last step: re-seals under the current envelope key every entry sealed under another one (given in
    /// <see cref="PostgresTokenStoreOptions.PreviousEnvelopeKeys"/>). Each rewrite is a compare-and-set on the entry's
    /// version, so a write that lands meanwhile (sealed under the current key itself) wins. Once it reports none left,
    /// the previous keys can be dropped. An entry that no given key opens is left as it is and counted.
    /// </summary>
    /// <returns>How many entries were re-sealed, and how many are still sealed under a key this store was not given.</returns>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/>.</exception>
    public async Task<(int Resealed, int Unreadable)> ResealAsync(CancellationToken cancellationToken)
    {
        if (_cipher.KeyId is not { } current)
        {
            return (0, 0);
        }
        var command = _dataSource.CreateCommand($"SELECT kind, id FROM {_schema.Entries} WHERE key_id IS DISTINCT FROM @current");
        command.Parameters.Add(new("current", current));
        var stale = await _commands.RunAsync(command, "list", ReadKeysAsync, cancellationToken).ConfigureAwait(false);
        var (resealed, unreadable) = (0, 0);
        foreach (var key in stale)
        {
            VersionedEntry? entry;
            try
            {
                entry = await ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreEntryCorrupt)
            {
                unreadable++;
                continue;
            }
            if (entry is not null && await WriteIfVersionAsync(key, entry.Value, entry.Version, lease: null, cancellationToken)
                    .ConfigureAwait(false) is not null)
            {
                resealed++;
            }
        }
        return (resealed, unreadable);
    }

    /// <summary>Lists one kind through the (kind, id) primary key index: no payload is read or decrypted.</summary>
    public async ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"SELECT kind, id FROM {_schema.Entries} WHERE kind = @kind ORDER BY id");
        command.Parameters.Add(new("kind", StoreEntryKinds.NameOf(kind)));
        return await _commands.RunAsync(command, "list", ReadKeysAsync, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes a session-level advisory lock on a dedicated connection; the caller re-reads the entry after acquiring.
    /// Released on dispose, or by the server when the holder's session dies.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreLockTimeout"/> after <paramref name="timeout"/>;
    /// <see cref="McpAuthErrorCode.StoreUnavailable"/> when the database cannot be reached.
    /// </exception>
    public async ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await AcquireLockAsync(key, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreLockTimeout)
        {
            LogLockTimeout(_logger, key.ToString(), timeout);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The lock itself, typed, for tests that need the holder's session.</summary>
    internal Task<PostgresAdvisoryLock> AcquireLockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken) =>
        PostgresAdvisoryLock.AcquireAsync(_dataSource, _commands, AdvisoryLockKeys.ForEntry(_schema.Name, key), key.ToString(), timeout,
            cancellationToken);

    private static (NpgsqlDataSource DataSource, bool Owned) DataSourceFor(PostgresTokenStoreOptions options)
    {
        if ((options.DataSource is null) == (options.ConnectionString is null))
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(options.ConnectionString));
        }
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.DataSource?.ConnectionString ?? options.ConnectionString);
        }
        catch (ArgumentException)
        {
            // The parser's message can quote the connection string (and so a password): never pass it on.
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(options.ConnectionString));
        }
        if (builder.Multiplexing)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, "Multiplexing");
        }
        return options.DataSource is { } given ? (given, false) : (Build(builder), true);
    }

    /// <summary>
    /// A data source with only the types the store's tables use (text, bytea, bigint, integer, timestamptz, interval) and
    /// TLS and Kerberos/GSS for the connection: the slim builder leaves Npgsql's other type mappings (JSON, arrays,
    /// ranges, geometry, full-text search...) out of a trimmed or NativeAOT program, such as the native mcpauth.
    /// </summary>
    private static NpgsqlDataSource Build(NpgsqlConnectionStringBuilder connection) =>
        new NpgsqlSlimDataSourceBuilder(connection.ConnectionString).EnableTransportSecurity().EnableIntegratedSecurity().Build();

    private NpgsqlCommand EntryCommand(string sql, StoreKey key)
    {
        var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new("kind", StoreEntryKinds.NameOf(key.Kind)));
        command.Parameters.Add(new("id", key.Id));
        return command;
    }

    private static async Task<(string? KeyId, byte[] Payload, long Version)?> ReadRowAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
            return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetFieldValue<byte[]>(1), reader.GetInt64(2));
        }
    }

    /// <summary>The entry keys of (kind, id) rows; a row of a kind added by a newer version is skipped.</summary>
    private static async Task<IReadOnlyList<StoreKey>> ReadKeysAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var keys = new List<StoreKey>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (StoreEntryKinds.TryParse(reader.GetString(0), out var kind))
                {
                    keys.Add(new StoreKey(kind, reader.GetString(1)));
                }
            }
        }
        return keys;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL store schema {Schema} stores entries UNENCRYPTED (DangerouslyStorePlaintext)")]
    private static partial void LogPlaintext(ILogger logger, string schema);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store entry {Entry} cannot be decrypted (wrong or unknown envelope key, or damaged)")]
    private static partial void LogUnreadable(ILogger logger, string entry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store lock {Entry} not acquired within {Timeout}")]
    private static partial void LogLockTimeout(ILogger logger, string entry, TimeSpan timeout);
}
