using System.Security.Cryptography;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Storage;
using Npgsql;

namespace McpAuth.PostgreSql.Tests.Fixtures;

/// <summary>Per-test helpers over the shared server: a fresh schema, stores over it, raw SQL for inspecting the tables.</summary>
public abstract class StoreTestContext(PostgresServer server) : IAsyncLifetime
{
    protected static readonly StoreKey First = new(StoreEntryKind.Credential, "first");
    protected static readonly StoreKey Second = new(StoreEntryKind.Credential, "second");

    private readonly List<PostgresTokenStore> _stores = [];
    private NpgsqlDataSource? _admin;

    protected PostgresServer Server { get; } = server;

    /// <summary>A schema no other test uses.</summary>
    protected string Schema { get; } = "t_" + Guid.NewGuid().ToString("N");

    protected byte[] Key { get; } = NewKey();

    protected NpgsqlDataSource Admin => _admin ??= NpgsqlDataSource.Create(Server.ConnectionString);

    protected static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    protected PostgresTokenStoreOptions Options(byte[]? key = null) => new()
    {
        ConnectionString = Server.ConnectionString,
        Schema = Schema,
        EnvelopeKey = key ?? Key,
        LoggerFactory = SuiteLoggerFactory.Instance, // logs at Trace for the secret sweep
    };

    protected Task<PostgresTokenStore> CreateStoreAsync(byte[]? key = null) => CreateStoreAsync(Options(key));

    protected async Task<PostgresTokenStore> CreateStoreAsync(PostgresTokenStoreOptions options)
    {
        var store = await PostgresTokenStore.CreateAsync(options, CancellationToken.None);
        lock (_stores)
        {
            _stores.Add(store);
        }
        return store;
    }

    protected async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var command = Admin.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? default : (T?)value;
    }

    protected async Task ExecuteAsync(string sql)
    {
        await using var command = Admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }
    }
}
