using McpAuth.Storage;
using Npgsql;
using NpgsqlTypes;

namespace McpAuth.PostgreSql;

/// <summary>
/// The refresh leases of <see cref="PostgresTokenStore"/>: one row per key in <c>leases</c> (holder, fencing token,
/// expiry by the database's clock), and the conditional writes of <c>entries</c> that check a version and, optionally,
/// that a lease is still current. A lease is a row, not a session: it outlives the holder's connection (terminated,
/// restarted, network loss) until it expires, so another replica cannot take over while the first may still be
/// waiting on the authorization server. The check locks the lease row (<c>FOR SHARE</c>) in the writing statement, so a
/// takeover that commits first makes the write fail, and one that comes later waits for the write to commit.
/// </summary>
internal sealed class PostgresLeases(NpgsqlDataSource dataSource, PostgresSchema schema, PostgresCommands commands)
{
    public async Task<StoreLease?> TryAcquireAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var command = KeyCommand($"""
            INSERT INTO {schema.Leases} AS l (kind, id, holder, fence, expires_at)
            VALUES (@kind, @id, @holder, 1, clock_timestamp() + @duration)
            ON CONFLICT (kind, id) DO UPDATE SET holder = excluded.holder, fence = l.fence + 1, expires_at = excluded.expires_at
            WHERE l.expires_at <= clock_timestamp() OR l.holder = excluded.holder
            RETURNING fence, expires_at
            """, key);
        command.Parameters.Add(new("holder", holder));
        command.Parameters.Add(new("duration", NpgsqlDbType.Interval) { Value = duration });
        var row = await commands.RunAsync(command, "lease", ReadFenceAsync, cancellationToken).ConfigureAwait(false);
        return row is var (fence, expiresAt) ? new StoreLease(key, holder, fence, expiresAt) : null;
    }

    public async Task<StoreLease?> RenewAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        var command = LeaseCommand($"""
            UPDATE {schema.Leases} SET expires_at = clock_timestamp() + @duration
            WHERE kind = @kind AND id = @id AND holder = @holder AND fence = @fence
            RETURNING fence, expires_at
            """, lease);
        command.Parameters.Add(new("duration", NpgsqlDbType.Interval) { Value = duration });
        var row = await commands.RunAsync(command, "lease", ReadFenceAsync, cancellationToken).ConfigureAwait(false);
        return row is var (_, expiresAt) ? lease with { ExpiresAt = expiresAt } : null;
    }

    /// <summary>Expires the lease; the row stays, so the next holder's fence is still larger.</summary>
    public Task ReleaseAsync(StoreLease lease, CancellationToken cancellationToken)
    {
        var command = LeaseCommand($"""
            UPDATE {schema.Leases} SET expires_at = '-infinity'
            WHERE kind = @kind AND id = @id AND holder = @holder AND fence = @fence
            """, lease);
        return commands.RunAsync(command, "lease", (c, ct) => c.ExecuteNonQueryAsync(ct), cancellationToken);
    }

    /// <summary>Writes a sealed entry when its version and (when given) the lease still match; null when they do not.</summary>
    public async Task<long?> WriteIfAsync(StoreKey key, string? keyId, byte[] payload, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken)
    {
        var leaseCte = lease is null ? "" : $"""
            WITH lease AS (
                SELECT 1 FROM {schema.Leases}
                WHERE kind = @lease_kind AND id = @lease_id AND holder = @holder AND fence = @fence FOR SHARE)
            """;
        var leaseCheck = lease is null ? "" : "AND EXISTS (SELECT 1 FROM lease)";
        var sql = expectedVersion == VersionedEntry.Absent
            ? $"""
              {leaseCte}
              INSERT INTO {schema.Entries} (kind, id, key_id, payload, version)
              SELECT @kind, @id, @key_id, @payload, nextval('{schema.EntryVersions}') WHERE true {leaseCheck}
              ON CONFLICT (kind, id) DO NOTHING
              RETURNING version
              """
            : $"""
              {leaseCte}
              UPDATE {schema.Entries} SET key_id = @key_id, payload = @payload, version = nextval('{schema.EntryVersions}'),
                  updated_at = now()
              WHERE kind = @kind AND id = @id AND version = @expected {leaseCheck}
              RETURNING version
              """;
        var command = KeyCommand(sql, key);
        command.Parameters.Add(new("key_id", NpgsqlDbType.Text) { Value = (object?)keyId ?? DBNull.Value });
        command.Parameters.Add(new("payload", payload));
        command.Parameters.Add(new("expected", expectedVersion));
        if (lease is not null)
        {
            command.Parameters.Add(new("lease_kind", StoreEntryKinds.NameOf(lease.Key.Kind)));
            command.Parameters.Add(new("lease_id", lease.Key.Id));
            command.Parameters.Add(new("holder", lease.Holder));
            command.Parameters.Add(new("fence", lease.Fence));
        }
        return await commands.RunAsync(command, "write", ReadVersionAsync, cancellationToken).ConfigureAwait(false);
    }

    private NpgsqlCommand KeyCommand(string sql, StoreKey key)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new("kind", StoreEntryKinds.NameOf(key.Kind)));
        command.Parameters.Add(new("id", key.Id));
        return command;
    }

    private NpgsqlCommand LeaseCommand(string sql, StoreLease lease)
    {
        var command = KeyCommand(sql, lease.Key);
        command.Parameters.Add(new("holder", lease.Holder));
        command.Parameters.Add(new("fence", lease.Fence));
        return command;
    }

    private static async Task<(long Fence, DateTimeOffset ExpiresAt)?> ReadFenceAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
            return (reader.GetInt64(0), new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero));
        }
    }

    private static async Task<long?> ReadVersionAsync(NpgsqlCommand command, CancellationToken cancellationToken) =>
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : null;
}
