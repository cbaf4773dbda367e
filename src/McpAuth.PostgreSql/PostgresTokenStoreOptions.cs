using Microsoft.Extensions.Logging;
using Npgsql;

namespace McpAuth.PostgreSql;

/// <summary>
/// Options for <see cref="PostgresTokenStore"/>. Give either <see cref="ConnectionString"/> or <see cref="DataSource"/>,
/// and an envelope key (<see cref="EnvelopeKey"/> or <see cref="EnvelopeKeyBase64"/>): the store refuses to start
/// without one unless <see cref="DangerouslyStorePlaintext"/> is set.
/// </summary>
public sealed record PostgresTokenStoreOptions
{
    /// <summary>
    /// An Npgsql connection string. The store builds and owns a data source from it. Size its pool: a refresh holds no
    /// connection while it waits on the authorization server (its lease is a row), but each store command takes one for
    /// its duration, and a login or logout holds one for its lock; all replicas' pools together must stay below the
    /// server's <c>max_connections</c> (a refused connection is <see cref="McpAuthErrorCode.StoreUnavailable"/>).
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// A data source the caller owns (the store never disposes it). It must not use multiplexing: the lock of logins and
    /// logouts is a session-level advisory lock and needs a dedicated session. Transaction-mode poolers (PgBouncer)
    /// break it too. (Refresh leases are rows and need no session.)
    /// </summary>
    public NpgsqlDataSource? DataSource { get; init; }

    /// <summary>The schema that holds McpAuth's tables; created on start. Lower-case letters, digits and '_' only.</summary>
    public string Schema { get; init; } = "mcpauth";

    /// <summary>The operator's 256-bit envelope key (32 bytes). Entries are sealed with AES-256-GCM under it.</summary>
    public byte[]? EnvelopeKey { get; init; }

    /// <summary>The envelope key as base64 (32 bytes once decoded); an alternative to <see cref="EnvelopeKey"/>.</summary>
    public string? EnvelopeKeyBase64 { get; init; }

    /// <summary>
    /// The id stored beside each ciphertext, naming the key that sealed it. Defaults to a fingerprint of the key, so a
    /// new key always gets a new id. Letters, digits, '-', '_' and '.', at most 64 characters.
    /// </summary>
    public string? KeyId { get; init; }

    /// <summary>
    /// Earlier envelope keys by key id, for key rotation: entries sealed under them stay readable and are sealed under
    /// the current key the next time they are written, or at once by <see cref="PostgresTokenStore.ResealAsync"/>.
    /// A key's id is the <see cref="KeyId"/> it was used with, by default <see cref="DefaultKeyId"/>.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]>? PreviousEnvelopeKeys { get; init; }

    /// <summary>The id a key gets when <see cref="KeyId"/> is not set: a fingerprint (not a secret) of the key.</summary>
    /// <param name="key">A 32-byte envelope key.</param>
    public static string DefaultKeyId(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return EnvelopeKeys.Fingerprint(key);
    }

    /// <summary>
    /// Stores entries unencrypted when no envelope key is given. Anyone who can read the database can then read every
    /// token. For throwaway test databases only.
    /// </summary>
    public bool DangerouslyStorePlaintext { get; init; }

    /// <summary>Logging for migrations, lock timeouts and unreadable entries. Never logs tokens or the connection string.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
