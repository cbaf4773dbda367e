using McpAuth.Cli.Output;
using McpAuth.PostgreSql;
using McpAuth.Storage;
using Npgsql;

namespace McpAuth.Cli.Engine;

/// <summary>
/// The PostgreSQL store for a fleet of CLIs (CI runners, several machines with one service account): refresh leases in
/// the database, so the machines refresh a credential once between them. Only this class names Npgsql: a process on
/// the file store never runs its code. Opened at the first store operation (<see cref="DeferredTokenStore"/>).
/// </summary>
internal static class PostgresCliStore
{
    public const string BackendName = "postgresql";

    /// <summary>Names the key in status: the operator's envelope key, never in an OS secret store.</summary>
    public const string KeyProtection = "envelope-key";

    public static CliStore Open(CliContext cli, PostgresStoreSettings settings)
    {
        var store = new DeferredTokenStore(BackendName, cancellationToken => OpenAsync(cli, settings, cancellationToken));
        return new CliStore(store, () => new StorageInfo(BackendName, KeyProtection, KeyInSecretStore: false) { Location = Describe(settings) });
    }

    private static async Task<ITokenStore> OpenAsync(CliContext cli, PostgresStoreSettings settings, CancellationToken cancellationToken)
    {
        var options = new PostgresTokenStoreOptions
        {
            ConnectionString = settings.ConnectionString,
            Schema = settings.Schema,
            EnvelopeKey = settings.EnvelopeKey,
            PreviousEnvelopeKeys = settings.PreviousKeys.ToDictionary(PostgresTokenStoreOptions.DefaultKeyId, k => k, StringComparer.Ordinal),
            LoggerFactory = StderrLog.CreateFactory(cli),
        };
        try
        {
            var store = await PostgresTokenStore.CreateAsync(options, cancellationToken).ConfigureAwait(false);
            if (settings.PreviousKeys.Count > 0)
            {
                await ResealAsync(cli, store, cancellationToken).ConfigureAwait(false);
            }
            return store;
        }
        catch (McpAuthException e) when (HintFor(e, settings) is { } hint)
        {
            throw new McpAuthException(e.Code, e.Detail, e) { Hint = hint };
        }
    }

    /// <summary>
    /// During a key rotation (previous keys given), the first command of each machine re-seals what is still under an old
    /// key, so the fleet converges on the new key without a separate step; it says so when it re-sealed something.
    /// </summary>
    private static async Task ResealAsync(CliContext cli, PostgresTokenStore store, CancellationToken cancellationToken)
    {
        var (resealed, unreadable) = await store.ResealAsync(cancellationToken).ConfigureAwait(false);
        if (resealed > 0)
        {
            await cli.Err.WriteLineAsync($"mcpauth: re-sealed {resealed} store entries under the new envelope key ({StoreSettings.Key}). "
                + $"Unset {StoreSettings.PreviousKeys} once every machine has the new key.").ConfigureAwait(false);
        }
        if (unreadable > 0)
        {
            await cli.Err.WriteLineAsync($"mcpauth: {unreadable} store entries are sealed under a key that is neither {StoreSettings.Key} "
                + $"nor in {StoreSettings.PreviousKeys}.").ConfigureAwait(false);
        }
    }

    /// <summary>What to do about a failure to open the store, naming the variable to change; null when the library's message says it.</summary>
    private static string? HintFor(McpAuthException e, PostgresStoreSettings settings) => e.Code switch
    {
        McpAuthErrorCode.StoreUnavailable =>
            $"The PostgreSQL store ({Describe(settings)}) cannot be reached or is not ready: try again. If it lasts, check the database "
            + $"and {settings.ConnectionSource}.",
        McpAuthErrorCode.InvalidConfiguration when e.Detail == nameof(PostgresTokenStoreOptions.Schema) =>
            $"{StoreSettings.Schema}: lower-case letters, digits and '_' only, at most 63 characters.",
        McpAuthErrorCode.InvalidConfiguration =>
            $"{settings.ConnectionSource} is not a usable Npgsql connection string (Host=...;Database=...;Username=...; no Multiplexing).",
        _ => null,
    };

    /// <summary>Where the store is, for status and messages: user, host, port, database and schema; never the password.</summary>
    public static string Describe(PostgresStoreSettings settings)
    {
        try
        {
            var c = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
            var user = string.IsNullOrEmpty(c.Username) ? "" : c.Username + "@";
            return $"{user}{c.Host}:{c.Port}/{c.Database}, schema {settings.Schema}";
        }
        catch (ArgumentException)
        {
            // The parser's message can quote the connection string: say only where it came from.
            return $"from {settings.ConnectionSource}, schema {settings.Schema}";
        }
    }
}
