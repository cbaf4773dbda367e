namespace McpAuth.Cli.Engine;

/// <summary>
/// Which store the CLI keeps credentials in, read from the environment only (never from arguments: a connection
/// string's password and the envelope key are secrets, and every user of the machine can read the process list).
/// <list type="bullet">
/// <item><c>MCPAUTH_STORE</c>: <c>file</c> (the default: the encrypted file store under <c>MCPAUTH_HOME</c>) or
/// <c>postgres</c>. Unset, the PostgreSQL store is chosen when any of its variables below is set.</item>
/// <item><c>MCPAUTH_POSTGRES_CONNECTION</c>, or <c>MCPAUTH_POSTGRES_CONNECTION_FILE</c> naming a file only its owner
/// can read: an Npgsql connection string.</item>
/// <item><c>MCPAUTH_STORE_KEY</c>, or <c>MCPAUTH_STORE_KEY_FILE</c> (owner-only): the store's envelope key, 32 bytes
/// in base64, the same on every machine that shares the database.</item>
/// <item><c>MCPAUTH_STORE_PREVIOUS_KEYS</c>, or <c>MCPAUTH_STORE_PREVIOUS_KEYS_FILE</c> (owner-only): during a key
/// rotation, the earlier envelope keys (base64, separated by spaces, commas or new lines). Entries sealed under them stay
/// readable and are re-sealed under the current key.</item>
/// <item><c>MCPAUTH_POSTGRES_SCHEMA</c>: the schema of McpAuth's tables (default <c>mcpauth</c>).</item>
/// </list>
/// </summary>
internal static class StoreSettings
{
    public const string Store = "MCPAUTH_STORE";
    public const string Connection = "MCPAUTH_POSTGRES_CONNECTION";
    public const string ConnectionFile = Connection + FileSuffix;
    public const string Key = "MCPAUTH_STORE_KEY";
    public const string KeyFile = Key + FileSuffix;
    public const string PreviousKeys = "MCPAUTH_STORE_PREVIOUS_KEYS";
    public const string PreviousKeysFile = PreviousKeys + FileSuffix;
    public const string Schema = "MCPAUTH_POSTGRES_SCHEMA";
    private const string FileSuffix = "_FILE";
    private const int KeySize = 32;

    /// <summary>Every variable that chooses or configures the store (mcpauth-demo hides them: it always uses a file store of its own).</summary>
    public static readonly string[] Variables = [Store, Connection, ConnectionFile, Key, KeyFile, PreviousKeys, PreviousKeysFile, Schema];

    /// <summary>The PostgreSQL store's settings, or null when the file store is chosen.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InvalidConfiguration"/> naming the variable that is missing, unknown, doubly given or
    /// names a file others can read; <see cref="McpAuthErrorCode.StoreKeyUnavailable"/> naming the key's variable.
    /// </exception>
    public static PostgresStoreSettings? FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!WantsPostgres(environment))
        {
            return null;
        }
        var connection = Secret(environment, Connection) ?? throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, Connection)
        {
            Hint = $"The PostgreSQL store needs its connection string (Host=...;Database=...;Username=...): set {Connection}, "
                + $"or {ConnectionFile} to a file only you can read (chmod 600).",
        };
        var key = Secret(environment, Key) ?? throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, Key)
        {
            Hint = $"The PostgreSQL store needs its envelope key (32 bytes in base64, the same on every machine sharing the store): "
                + $"set {Key}, or {KeyFile} to a file only you can read (chmod 600). Make one with: openssl rand -base64 32",
        };
        var schema = environment(Schema);
        var previous = Secret(environment, PreviousKeys) is { } keys
            ? keys.Value.Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(k => DecodeKey((k, keys.Source))).ToArray()
            : [];
        return new PostgresStoreSettings(connection.Value, string.IsNullOrEmpty(schema) ? "mcpauth" : schema, DecodeKey(key),
            connection.Source, key.Source) { PreviousKeys = previous };
    }

    private static bool WantsPostgres(Func<string, string?> environment) => environment(Store) switch
    {
        null or "" => Variables.Skip(1).Any(v => !string.IsNullOrEmpty(environment(v))),
        "file" => false,
        "postgres" or "postgresql" => true,
        _ => throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, Store)
        {
            Hint = $"{Store} is 'file' (the default) or 'postgres'.",
        },
    };

    /// <summary>A secret from VARIABLE, or from the owner-only file VARIABLE_FILE names; null when neither is set.</summary>
    private static (string Value, string Source)? Secret(Func<string, string?> environment, string variable)
    {
        var value = environment(variable);
        var path = environment(variable + FileSuffix);
        if (string.IsNullOrEmpty(path))
        {
            return string.IsNullOrEmpty(value) ? null : (value, variable);
        }
        var source = variable + FileSuffix;
        if (!string.IsNullOrEmpty(value))
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, variable) { Hint = $"Set {variable} or {source}, not both." };
        }
        if (OwnerOnlyFile.Refusal(path, source) is { } refusal)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, source) { Hint = refusal };
        }
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length > 0 ? (text, source)
                : throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, source) { Hint = $"{source}: {path} is empty." };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, source, e) { Hint = $"{source}: {path} cannot be read." };
        }
    }

    private static byte[] DecodeKey((string Value, string Source) key)
    {
        var buffer = new byte[key.Value.Length];
        return Convert.TryFromBase64String(key.Value, buffer, out var written) && written == KeySize
            ? buffer[..written]
            : throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, key.Source)
            {
                Hint = $"{key.Source} must hold 32 random bytes in base64 (openssl rand -base64 32).",
            };
    }
}

/// <summary>The PostgreSQL store's settings and the variables they came from (named in messages; the values never are).</summary>
internal sealed record PostgresStoreSettings(
    string ConnectionString, string Schema, byte[] EnvelopeKey, string ConnectionSource, string KeySource)
{
    /// <summary>Earlier envelope keys (key rotation), from <see cref="StoreSettings.PreviousKeys"/>.</summary>
    public IReadOnlyList<byte[]> PreviousKeys { get; init; } = [];

    public override string ToString() => $"PostgresStoreSettings {{ Schema = {Schema}, from {ConnectionSource} and {KeySource} }}";
}
