using System.Text;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.Storage;

namespace McpAuth.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreBasicsTests(PostgresServer server) : StoreTestContext(server)
{
    [Fact]
    public async Task Written_entry_reads_back_and_overwrite_replaces_it()
    {
        var store = await CreateStoreAsync();
        Assert.Equal("postgresql", store.BackendName);
        await store.WriteAsync(First, "one"u8.ToArray(), CancellationToken.None);
        Assert.Equal("one"u8.ToArray(), await store.ReadAsync(First, CancellationToken.None));

        await store.WriteAsync(First, "two"u8.ToArray(), CancellationToken.None);
        Assert.Equal("two"u8.ToArray(), await store.ReadAsync(First, CancellationToken.None));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM {Schema}.entries"));
    }

    [Fact]
    public async Task Missing_entry_reads_as_null_and_delete_reports_whether_it_existed()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.ReadAsync(First, CancellationToken.None));
        Assert.False(await store.DeleteAsync(First, CancellationToken.None));

        await store.WriteAsync(First, "one"u8.ToArray(), CancellationToken.None);
        Assert.True(await store.DeleteAsync(First, CancellationToken.None));
        Assert.Null(await store.ReadAsync(First, CancellationToken.None));
    }

    [Fact]
    public async Task Same_id_under_two_kinds_is_two_entries()
    {
        var store = await CreateStoreAsync();
        var discovery = new StoreKey(StoreEntryKind.Discovery, First.Id);
        await store.WriteAsync(First, "credential"u8.ToArray(), CancellationToken.None);
        await store.WriteAsync(discovery, "discovery"u8.ToArray(), CancellationToken.None);

        Assert.Equal("credential"u8.ToArray(), await store.ReadAsync(First, CancellationToken.None));
        Assert.Equal("discovery"u8.ToArray(), await store.ReadAsync(discovery, CancellationToken.None));
    }

    [Fact]
    public async Task List_returns_every_key_of_one_kind_only_at_gateway_scale()
    {
        var store = await CreateStoreAsync();
        var expected = Enumerable.Range(0, 2000).Select(i => new StoreKey(StoreEntryKind.Credential, $"c{i:D4}")).ToList();
        await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (key, ct) => await store.WriteAsync(key, Encoding.UTF8.GetBytes(key.Id), ct));
        await store.WriteAsync(new StoreKey(StoreEntryKind.Registration, "r1"), "r"u8.ToArray(), CancellationToken.None);

        var listed = await store.ListAsync(StoreEntryKind.Credential, CancellationToken.None);

        Assert.Equal(expected.Select(k => k.Id).Order(StringComparer.Ordinal), listed.Select(k => k.Id).Order(StringComparer.Ordinal));
        Assert.All(listed, k => Assert.Equal(StoreEntryKind.Credential, k.Kind));
        Assert.Equal([new StoreKey(StoreEntryKind.Registration, "r1")], await store.ListAsync(StoreEntryKind.Registration, CancellationToken.None));
    }

    [Fact]
    public async Task Entries_table_is_indexed_by_kind_first()
    {
        await CreateStoreAsync();
        var index = await ScalarAsync<string>(
            $"SELECT indexdef FROM pg_indexes WHERE schemaname = '{Schema}' AND tablename = 'entries' AND indexdef LIKE '%(kind, id)%'");
        Assert.Contains("UNIQUE", index, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vault_round_trips_a_gateway_credential_with_a_tenant_user_profile()
    {
        var vault = new TokenVault(await CreateStoreAsync());
        var binding = new CredentialBinding("acme/alice", "https://mcp.example/", "https://as.example", "client-1");
        var credential = new StoredCredential
        {
            Binding = binding,
            Tokens = new TokenSet { AccessToken = "at-1", RefreshToken = "rt-1", ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(1) },
            TokenEndpoint = "https://as.example/token",
            Generation = 3,
        };
        await vault.SaveCredentialAsync(credential, CancellationToken.None);

        var read = await vault.GetCredentialAsync(binding, CancellationToken.None);
        Assert.Equal(credential.Tokens, read!.Tokens);
        Assert.Equal(3, read.Generation);
        Assert.Null(await vault.GetCredentialAsync(binding with { Profile = "acme/bob" }, CancellationToken.None));
    }

    [Fact]
    public async Task Every_operation_costs_exactly_one_round_trip()
    {
        var store = await CreateStoreAsync();
        var before = store.RoundTrips;
        await store.WriteAsync(First, "one"u8.ToArray(), CancellationToken.None);
        await store.ReadAsync(First, CancellationToken.None);
        await store.ListAsync(StoreEntryKind.Credential, CancellationToken.None);
        await store.DeleteAsync(First, CancellationToken.None);
        Assert.Equal(before + 4, store.RoundTrips);

        var held = await store.LockAsync(Second, TimeSpan.FromSeconds(5), CancellationToken.None);
        await held.DisposeAsync();
        Assert.Equal(before + 6, store.RoundTrips);
    }
}
