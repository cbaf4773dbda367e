using System.Diagnostics;
using System.Security.Cryptography;
using McpAuth;
using McpAuth.Storage;

namespace McpAuth.StoreContract;

/// <summary>
/// The behaviour every <see cref="ITokenStore"/> backend must have. A backend's test class derives from this and
/// provides fresh stores; every fact then runs against that backend.
/// </summary>
public abstract partial class TokenStoreContract
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    /// <summary>A new, empty store (its own folder, schema or namespace).</summary>
    protected abstract ITokenStore CreateStore();

    /// <summary>
    /// A second handle on the same storage as <paramref name="store"/>, as another process would open it. Backends that
    /// cannot share storage return <paramref name="store"/> itself.
    /// </summary>
    protected abstract ITokenStore OpenSecondHandle(ITokenStore store);

    /// <summary>Damages the stored bytes of <paramref name="key"/> in the backend's own medium (file, row).</summary>
    protected abstract Task CorruptAsync(ITokenStore store, StoreKey key);

    protected static StoreKey Key(StoreEntryKind kind, string id) => new(kind, id);

    private static CancellationToken None => CancellationToken.None;

    [Fact]
    public async Task Written_entry_reads_back_identically()
    {
        var store = CreateStore();
        var value = RandomNumberGenerator.GetBytes(300);
        await store.WriteAsync(Key(StoreEntryKind.Credential, "a1"), value, None);
        Assert.Equal(value, await store.ReadAsync(Key(StoreEntryKind.Credential, "a1"), None));
        Assert.Equal(value, await OpenSecondHandle(store).ReadAsync(Key(StoreEntryKind.Credential, "a1"), None));
    }

    [Fact]
    public async Task Missing_entry_reads_as_null()
    {
        var store = CreateStore();
        Assert.Null(await store.ReadAsync(Key(StoreEntryKind.Credential, "missing"), None));
        Assert.False(await store.DeleteAsync(Key(StoreEntryKind.Credential, "missing"), None));
    }

    [Fact]
    public async Task Write_replaces_the_previous_value()
    {
        var store = CreateStore();
        var key = Key(StoreEntryKind.Registration, "r1");
        await store.WriteAsync(key, "first, longer value"u8.ToArray(), None);
        await store.WriteAsync(key, "second"u8.ToArray(), None);
        Assert.Equal("second"u8.ToArray(), await store.ReadAsync(key, None));
    }

    [Fact]
    public async Task Delete_removes_only_that_entry()
    {
        var store = CreateStore();
        await store.WriteAsync(Key(StoreEntryKind.Credential, "d1"), "one"u8.ToArray(), None);
        await store.WriteAsync(Key(StoreEntryKind.Credential, "d2"), "two"u8.ToArray(), None);
        Assert.True(await store.DeleteAsync(Key(StoreEntryKind.Credential, "d1"), None));
        Assert.Null(await store.ReadAsync(Key(StoreEntryKind.Credential, "d1"), None));
        Assert.Equal("two"u8.ToArray(), await store.ReadAsync(Key(StoreEntryKind.Credential, "d2"), None));
    }

    [Fact]
    public async Task List_returns_the_keys_of_one_kind()
    {
        var store = CreateStore();
        await store.WriteAsync(Key(StoreEntryKind.Credential, "c1"), "x"u8.ToArray(), None);
        await store.WriteAsync(Key(StoreEntryKind.Credential, "c2"), "x"u8.ToArray(), None);
        await store.WriteAsync(Key(StoreEntryKind.Discovery, "c3"), "x"u8.ToArray(), None);
        var credentials = await store.ListAsync(StoreEntryKind.Credential, None);
        Assert.Equal(["c1", "c2"], credentials.Select(k => k.Id).Order());
        Assert.All(credentials, k => Assert.Equal(StoreEntryKind.Credential, k.Kind));
        Assert.Empty(await store.ListAsync(StoreEntryKind.IdentityToken, None));
    }

    [Fact]
    public async Task Entries_of_different_kinds_with_the_same_id_are_separate()
    {
        var store = CreateStore();
        await store.WriteAsync(Key(StoreEntryKind.Credential, "same"), "credential"u8.ToArray(), None);
        await store.WriteAsync(Key(StoreEntryKind.Registration, "same"), "registration"u8.ToArray(), None);
        Assert.Equal("credential"u8.ToArray(), await store.ReadAsync(Key(StoreEntryKind.Credential, "same"), None));
        Assert.Equal("registration"u8.ToArray(), await store.ReadAsync(Key(StoreEntryKind.Registration, "same"), None));
    }

    [Fact]
    public async Task Large_entries_round_trip()
    {
        var store = CreateStore();
        var value = RandomNumberGenerator.GetBytes(1024 * 1024);
        await store.WriteAsync(Key(StoreEntryKind.Credential, "big"), value, None);
        Assert.Equal(value, await store.ReadAsync(Key(StoreEntryKind.Credential, "big"), None));
    }

    [Fact]
    public async Task A_corrupt_entry_is_named_and_the_others_still_read()
    {
        var store = CreateStore();
        var vault = new TokenVault(store);
        var good = Credential("good");
        var bad = Credential("bad");
        await vault.SaveCredentialAsync(good, None);
        await vault.SaveCredentialAsync(bad, None);
        var badKey = StoreKeys.Credential(bad.Binding);
        await CorruptAsync(store, badKey);

        var error = await Assert.ThrowsAsync<McpAuthException>(() => vault.GetCredentialAsync(bad.Binding, None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, error.Code);
        Assert.Contains(badKey.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(good, await vault.GetCredentialAsync(good.Binding, None));
        var (readable, unreadable) = await vault.ListCredentialsAsync(None);
        Assert.Equal([good], readable);
        Assert.Equal([badKey], unreadable);
        Assert.Contains(badKey, await store.ListAsync(StoreEntryKind.Credential, None)); // reported, never deleted
    }

    [Fact]
    public async Task Concurrent_writers_never_produce_a_torn_entry()
    {
        var store = CreateStore();
        var other = OpenSecondHandle(store);
        var key = Key(StoreEntryKind.Credential, "contended");
        var values = Enumerable.Range(0, 8).Select(i => Enumerable.Repeat((byte)('a' + i), 64 * 1024 + i).ToArray()).ToArray();
        await store.WriteAsync(key, values[0], None);
        var writers = values.Select((value, i) => Task.Run(async () =>
        {
            for (var n = 0; n < 20; n++)
            {
                await (i % 2 == 0 ? store : other).WriteAsync(key, value, None);
            }
        })).ToArray();
        var reads = 0;
        while (!writers.All(w => w.IsCompleted) || reads == 0)
        {
            var read = await other.ReadAsync(key, None);
            Assert.NotNull(read);
            Assert.Contains(values, v => v.AsSpan().SequenceEqual(read));
            reads++;
        }
        await Task.WhenAll(writers);
        var last = await store.ReadAsync(key, None);
        Assert.Contains(values, v => v.AsSpan().SequenceEqual(last));
    }

    [Fact]
    public async Task Lock_excludes_a_concurrent_holder_until_released()
    {
        var store = CreateStore();
        var key = Key(StoreEntryKind.Credential, "locked");
        var first = await store.LockAsync(key, LockWait, None);
        var second = OpenSecondHandle(store).LockAsync(key, LockWait, None).AsTask();
        await Task.Delay(200);
        Assert.False(second.IsCompleted);
        await first.DisposeAsync();
        await using var secondHeld = await second.WaitAsync(LockWait);
    }

    [Fact]
    public async Task Lock_timeout_throws_StoreLockTimeout()
    {
        var store = CreateStore();
        var key = Key(StoreEntryKind.Credential, "busy");
        await using var held = await store.LockAsync(key, LockWait, None);
        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<McpAuthException>(
            () => OpenSecondHandle(store).LockAsync(key, TimeSpan.FromMilliseconds(150), None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreLockTimeout, error.Code);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(100), LockWait);
    }

    [Fact]
    public async Task Lock_is_released_on_dispose_and_is_per_key()
    {
        var store = CreateStore();
        var a = Key(StoreEntryKind.Credential, "a");
        var second = OpenSecondHandle(store);
        await using (await store.LockAsync(a, LockWait, None))
        {
            await using var other = await store.LockAsync(Key(StoreEntryKind.Credential, "b"), TimeSpan.FromSeconds(1), None);
            Assert.Equal(McpAuthErrorCode.StoreLockTimeout, (await LockFailureAsync(second, a)).Code); // b took nothing from a
        }
        await using var again = await second.LockAsync(a, TimeSpan.FromSeconds(1), None); // released on dispose
        Assert.Equal(McpAuthErrorCode.StoreLockTimeout, (await LockFailureAsync(store, a)).Code); // and now the second handle's
    }

    private static Task<McpAuthException> LockFailureAsync(ITokenStore store, StoreKey key) =>
        Assert.ThrowsAsync<McpAuthException>(() => store.LockAsync(key, TimeSpan.Zero, None).AsTask());

    [Fact]
    public async Task Lock_serializes_read_modify_write_across_handles()
    {
        var store = CreateStore();
        var handles = new[] { store, OpenSecondHandle(store) };
        var key = Key(StoreEntryKind.Discovery, "counter");
        await store.WriteAsync(key, BitConverter.GetBytes(0), None);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var handle = handles[i % 2];
            await using var held = await handle.LockAsync(key, LockWait, None);
            var count = BitConverter.ToInt32(await handle.ReadAsync(key, None));
            await Task.Yield();
            await handle.WriteAsync(key, BitConverter.GetBytes(count + 1), None);
        })));
        Assert.Equal(16, BitConverter.ToInt32(await store.ReadAsync(key, None)));
    }

    protected static StoredCredential Credential(string profile) => new()
    {
        Binding = new CredentialBinding(profile, "https://mcp.example/", "https://as.example", "client-" + profile),
        Tokens = new TokenSet { AccessToken = "at-" + profile, RefreshToken = "rt-" + profile, ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(20000) },
        TokenEndpoint = "https://as.example/token",
    };
}
