using System.Security.Cryptography;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.Storage;
using McpAuth.StoreContract;
using Npgsql;

namespace McpAuth.PostgreSql.Tests;

/// <summary>The store contract every backend passes, run against PostgreSQL: each store gets a schema of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreContractTests(PostgresServer server) : TokenStoreContract, IAsyncLifetime
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly List<PostgresTokenStore> _stores = [];

    protected override ITokenStore CreateStore() => Open("c_" + Guid.NewGuid().ToString("N"));

    /// <summary>Another replica: its own data source and sessions over the same schema.</summary>
    protected override ITokenStore OpenSecondHandle(ITokenStore store) => Open(((PostgresTokenStore)store).Schema);

    protected override async Task CorruptAsync(ITokenStore store, StoreKey key)
    {
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var command = dataSource.CreateCommand(
            $"UPDATE \"{((PostgresTokenStore)store).Schema}\".entries SET payload = overlay(payload placing '\\xff'::bytea from 20) WHERE kind = @kind AND id = @id");
        command.Parameters.AddWithValue("kind", key.Kind.ToString());
        command.Parameters.AddWithValue("id", key.Id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    private PostgresTokenStore Open(string schema)
    {
        var options = new PostgresTokenStoreOptions { ConnectionString = server.ConnectionString, Schema = schema, EnvelopeKey = _key,
            LoggerFactory = SuiteLoggerFactory.Instance };
        var store = PostgresTokenStore.CreateAsync(options, CancellationToken.None).GetAwaiter().GetResult();
        _stores.Add(store);
        return store;
    }
}
