using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.Storage;

namespace McpAuth.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaMigrationTests(PostgresServer server) : StoreTestContext(server)
{
    [Fact]
    public async Task First_start_creates_the_schema_and_records_its_version()
    {
        await CreateStoreAsync();

        Assert.Equal("1,2", await ScalarAsync<string>($"SELECT string_agg(version::text, ',' ORDER BY version) FROM {Schema}.schema_version"));
        Assert.NotNull(await ScalarAsync<string>($"SELECT to_regclass('{Schema}.entries')::text"));
        Assert.NotNull(await ScalarAsync<string>($"SELECT to_regclass('{Schema}.leases')::text"));
    }

    [Fact]
    public async Task Starting_again_changes_nothing_and_keeps_the_entries()
    {
        var first = await CreateStoreAsync();
        await first.WriteAsync(new StoreKey(StoreEntryKind.Discovery, "d"), "kept"u8.ToArray(), CancellationToken.None);
        var appliedAt = await ScalarAsync<DateTime>($"SELECT max(applied_at) FROM {Schema}.schema_version");

        var second = await CreateStoreAsync();

        Assert.Equal(2L, await ScalarAsync<long>($"SELECT count(*) FROM {Schema}.schema_version"));
        Assert.Equal(appliedAt, await ScalarAsync<DateTime>($"SELECT max(applied_at) FROM {Schema}.schema_version"));
        Assert.Equal("kept"u8.ToArray(), await second.ReadAsync(new StoreKey(StoreEntryKind.Discovery, "d"), CancellationToken.None));
    }

    [Fact]
    public async Task Three_replicas_starting_at_once_all_succeed_and_migrate_once()
    {
        using var start = new Barrier(3);
        var replicas = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return CreateStoreAsync();
        })).ToList();

        var stores = await Task.WhenAll(replicas);

        Assert.Equal(3, stores.Length);
        Assert.Equal(2L, await ScalarAsync<long>($"SELECT count(*) FROM {Schema}.schema_version"));
        await stores[0].WriteAsync(new StoreKey(StoreEntryKind.Credential, "c"), "x"u8.ToArray(), CancellationToken.None);
        Assert.Equal("x"u8.ToArray(), await stores[2].ReadAsync(new StoreKey(StoreEntryKind.Credential, "c"), CancellationToken.None));
    }

    [Fact]
    public async Task Schema_newer_than_this_code_is_refused()
    {
        await CreateStoreAsync();
        await ExecuteAsync($"INSERT INTO {Schema}.schema_version (version) VALUES (99)");

        var error = await Assert.ThrowsAsync<McpAuthException>(() => CreateStoreAsync());

        Assert.Equal(McpAuthErrorCode.StoreUnavailable, error.Code);
        Assert.Contains("99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_schemas_in_one_database_are_separate_stores()
    {
        var mine = await CreateStoreAsync();
        var other = await CreateStoreAsync(Options() with { Schema = Schema + "_other" });
        var key = new StoreKey(StoreEntryKind.Credential, "same");
        await mine.WriteAsync(key, "mine"u8.ToArray(), CancellationToken.None);

        Assert.Null(await other.ReadAsync(key, CancellationToken.None));
        await using var held = await mine.LockAsync(key, TimeSpan.FromSeconds(5), CancellationToken.None);
        await using var alsoHeld = await other.LockAsync(key, TimeSpan.Zero, CancellationToken.None);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("1digit")]
    [InlineData("semi;colon")]
    [InlineData("quote\"d")]
    public async Task Unsafe_schema_names_are_refused(string schema)
    {
        var error = await Assert.ThrowsAsync<McpAuthException>(() => CreateStoreAsync(Options() with { Schema = schema }));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        Assert.Contains(nameof(PostgresTokenStoreOptions.Schema), error.Message, StringComparison.Ordinal);
    }
}
