using System.Text;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.Storage;

namespace McpAuth.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreEncryptionTests(PostgresServer server) : StoreTestContext(server)
{
    [Fact]
    public async Task Token_bytes_never_appear_in_the_table()
    {
        var store = await CreateStoreAsync();
        var token = "at-" + Guid.NewGuid().ToString("N");
        await store.WriteAsync(First, Encoding.UTF8.GetBytes($$"""{"access_token":"{{token}}"}"""), CancellationToken.None);

        var payload = await ScalarAsync<byte[]>($"SELECT payload FROM {Schema}.entries");
        var row = await ScalarAsync<string>($"SELECT row_to_json(e)::text FROM {Schema}.entries e");

        Assert.Equal(-1, payload.AsSpan().IndexOf(Encoding.UTF8.GetBytes(token)));
        Assert.DoesNotContain(token, row, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(token)), row, StringComparison.Ordinal);
        Assert.Equal(EnvelopeKeys.Fingerprint(Key), await ScalarAsync<string>($"SELECT key_id FROM {Schema}.entries"));
    }

    [Fact]
    public async Task Same_value_written_twice_gives_different_ciphertexts()
    {
        var store = await CreateStoreAsync();
        await store.WriteAsync(First, "same"u8.ToArray(), CancellationToken.None);
        var before = await ScalarAsync<byte[]>($"SELECT payload FROM {Schema}.entries");
        await store.WriteAsync(First, "same"u8.ToArray(), CancellationToken.None);
        var after = await ScalarAsync<byte[]>($"SELECT payload FROM {Schema}.entries");

        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task Wrong_envelope_key_reports_the_entry_as_corrupt()
    {
        var writer = await CreateStoreAsync();
        await writer.WriteAsync(First, "secret"u8.ToArray(), CancellationToken.None);
        var reader = await CreateStoreAsync(NewKey());

        var error = await Assert.ThrowsAsync<McpAuthException>(() => reader.ReadAsync(First, CancellationToken.None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
        Assert.Contains(First.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal([First], await reader.ListAsync(StoreEntryKind.Credential, CancellationToken.None));
    }

    [Fact]
    public async Task Wrong_key_under_the_same_key_id_is_corrupt_too()
    {
        var writer = await CreateStoreAsync(Options() with { KeyId = "k1" });
        await writer.WriteAsync(First, "secret"u8.ToArray(), CancellationToken.None);
        var reader = await CreateStoreAsync(Options(NewKey()) with { KeyId = "k1" });

        var error = await Assert.ThrowsAsync<McpAuthException>(() => reader.ReadAsync(First, CancellationToken.None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
        Assert.Equal(McpAuthErrorCode.StoreKeyUnavailable, Assert.IsType<McpAuthException>(error.InnerException).Code);
    }

    [Fact]
    public async Task Damaged_entry_is_corrupt_and_other_entries_still_read()
    {
        var store = await CreateStoreAsync();
        await store.WriteAsync(First, "one"u8.ToArray(), CancellationToken.None);
        await store.WriteAsync(Second, "two"u8.ToArray(), CancellationToken.None);
        await ExecuteAsync($"UPDATE {Schema}.entries SET payload = overlay(payload placing '\\x00'::bytea from 20) WHERE id = 'first'");

        var error = await Assert.ThrowsAsync<McpAuthException>(() => store.ReadAsync(First, CancellationToken.None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
        Assert.Equal("two"u8.ToArray(), await store.ReadAsync(Second, CancellationToken.None));
    }

    [Fact]
    public async Task Ciphertext_copied_to_another_row_does_not_open()
    {
        var store = await CreateStoreAsync();
        await store.WriteAsync(First, "alice"u8.ToArray(), CancellationToken.None);
        await store.WriteAsync(Second, "bob"u8.ToArray(), CancellationToken.None);
        await ExecuteAsync($"UPDATE {Schema}.entries SET payload = (SELECT payload FROM {Schema}.entries WHERE id = 'first') WHERE id = 'second'");

        var error = await Assert.ThrowsAsync<McpAuthException>(() => store.ReadAsync(Second, CancellationToken.None).AsTask());

        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
    }

    [Fact]
    public async Task Rotated_key_reads_old_entries_and_reseals_them_on_write()
    {
        var old = await CreateStoreAsync();
        await old.WriteAsync(First, "one"u8.ToArray(), CancellationToken.None);
        var newKey = NewKey();
        var rotated = await CreateStoreAsync(Options(newKey) with
        {
            PreviousEnvelopeKeys = new Dictionary<string, byte[]> { [EnvelopeKeys.Fingerprint(Key)] = Key },
        });

        Assert.Equal("one"u8.ToArray(), await rotated.ReadAsync(First, CancellationToken.None));
        await rotated.WriteAsync(First, "one"u8.ToArray(), CancellationToken.None);
        Assert.Equal(EnvelopeKeys.Fingerprint(newKey), await ScalarAsync<string>($"SELECT key_id FROM {Schema}.entries"));
    }

    [Fact]
    public async Task Reseal_moves_every_entry_to_the_current_key_and_leaves_one_no_key_opens()
    {
        var old = await CreateStoreAsync();
        await old.WriteAsync(First, "one"u8.ToArray(), CancellationToken.None);
        await old.WriteAsync(Second, "two"u8.ToArray(), CancellationToken.None);
        var stranger = await CreateStoreAsync(Options(NewKey()));
        var third = new StoreKey(StoreEntryKind.Registration, "third");
        await stranger.WriteAsync(third, "three"u8.ToArray(), CancellationToken.None);
        var newKey = NewKey();
        var rotated = await CreateStoreAsync(Options(newKey) with
        {
            PreviousEnvelopeKeys = new Dictionary<string, byte[]> { [PostgresTokenStoreOptions.DefaultKeyId(Key)] = Key },
        });

        var first = await rotated.ResealAsync(CancellationToken.None);
        var again = await rotated.ResealAsync(CancellationToken.None);
        var newOnly = await CreateStoreAsync(Options(newKey));
        var unknown = await Assert.ThrowsAsync<McpAuthException>(() => newOnly.ReadAsync(third, CancellationToken.None).AsTask());

        Assert.Equal((2, 1), first);
        Assert.Equal((0, 1), again);
        Assert.Equal("one"u8.ToArray(), await newOnly.ReadAsync(First, CancellationToken.None));
        Assert.Equal("two"u8.ToArray(), await newOnly.ReadAsync(Second, CancellationToken.None));
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, unknown.Code);
        Assert.Contains("previous key", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("three"u8.ToArray(), await stranger.ReadAsync(third, CancellationToken.None));
    }

    [Fact]
    public async Task Store_refuses_to_start_without_an_envelope_key()
    {
        var error = await Assert.ThrowsAsync<McpAuthException>(() => CreateStoreAsync(Options() with { EnvelopeKey = null }));

        Assert.Equal(McpAuthErrorCode.StoreKeyUnavailable, error.Code);
        Assert.Null(await ScalarAsync<string>($"SELECT to_regclass('{Schema}.entries')::text"));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public async Task Envelope_key_of_the_wrong_size_is_refused(int size)
    {
        var error = await Assert.ThrowsAsync<McpAuthException>(() => CreateStoreAsync(Options(new byte[size])));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        Assert.Contains(nameof(PostgresTokenStoreOptions.EnvelopeKey), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Base64_envelope_key_is_the_same_key()
    {
        var writer = await CreateStoreAsync();
        await writer.WriteAsync(First, "one"u8.ToArray(), CancellationToken.None);
        var reader = await CreateStoreAsync(Options() with { EnvelopeKey = null, EnvelopeKeyBase64 = Convert.ToBase64String(Key) });

        Assert.Equal("one"u8.ToArray(), await reader.ReadAsync(First, CancellationToken.None));
    }

    [Fact]
    public async Task Plaintext_only_when_asked_and_a_plaintext_store_cannot_read_sealed_entries()
    {
        var sealedStore = await CreateStoreAsync();
        await sealedStore.WriteAsync(First, "one"u8.ToArray(), CancellationToken.None);
        var plain = await CreateStoreAsync(Options() with { EnvelopeKey = null, DangerouslyStorePlaintext = true });
        await plain.WriteAsync(Second, "two"u8.ToArray(), CancellationToken.None);

        Assert.Equal("two"u8.ToArray(), await ScalarAsync<byte[]>($"SELECT payload FROM {Schema}.entries WHERE id = 'second'"));
        var error = await Assert.ThrowsAsync<McpAuthException>(() => plain.ReadAsync(First, CancellationToken.None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
        var unsealed = await Assert.ThrowsAsync<McpAuthException>(() => sealedStore.ReadAsync(Second, CancellationToken.None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, unsealed.Code);
    }
}
