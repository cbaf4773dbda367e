using System.Diagnostics;
using McpAuth.Storage;

namespace McpAuth.StoreContract;

/// <summary>
/// Versions, conditional writes and refresh leases: what keeps a rotated refresh token from being replayed when a
/// holder loses its connection, its process, or the race to save.
/// </summary>
public abstract partial class TokenStoreContract
{
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task An_entry_has_a_version_that_every_write_changes_and_every_handle_reads()
    {
        var store = CreateStore();
        var key = Key(StoreEntryKind.Credential, "versioned");
        Assert.Null(await store.ReadVersionedAsync(key, None));

        await store.WriteAsync(key, "one"u8.ToArray(), None);
        var first = await store.ReadVersionedAsync(key, None);
        await store.WriteAsync(key, "one"u8.ToArray(), None);
        var second = await OpenSecondHandle(store).ReadVersionedAsync(key, None);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal("one"u8.ToArray(), second.Value);
        Assert.NotEqual(VersionedEntry.Absent, first.Version);
        Assert.NotEqual(first.Version, second.Version); // same bytes written again: still a new version
        Assert.Equal(second.Version, (await store.ReadVersionedAsync(key, None))!.Version);
    }

    [Fact]
    public async Task A_conditional_write_succeeds_only_on_the_version_it_expects()
    {
        var store = CreateStore();
        var other = OpenSecondHandle(store);
        var key = Key(StoreEntryKind.Credential, "cas");

        var created = await store.WriteIfVersionAsync(key, "v1"u8.ToArray(), VersionedEntry.Absent, null, None);
        Assert.NotNull(created);
        Assert.Null(await other.WriteIfVersionAsync(key, "again"u8.ToArray(), VersionedEntry.Absent, null, None));
        Assert.Equal(created, (await other.ReadVersionedAsync(key, None))!.Version);

        var updated = await other.WriteIfVersionAsync(key, "v2"u8.ToArray(), created.Value, null, None);
        Assert.NotNull(updated);
        Assert.Null(await store.WriteIfVersionAsync(key, "stale"u8.ToArray(), created.Value, null, None));

        var read = await store.ReadVersionedAsync(key, None);
        Assert.Equal("v2"u8.ToArray(), read!.Value);
        Assert.Equal(updated, read.Version);
    }

    [Fact]
    public async Task Of_concurrent_conditional_writers_on_one_version_exactly_one_wins()
    {
        var store = CreateStore();
        var handles = new[] { store, OpenSecondHandle(store) };
        var key = Key(StoreEntryKind.Credential, "race");
        await store.WriteAsync(key, "base"u8.ToArray(), None);
        var version = (await store.ReadVersionedAsync(key, None))!.Version;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            await handles[i % 2].WriteIfVersionAsync(key, new[] { (byte)i }, version, null, None))));

        var winners = Enumerable.Range(0, 8).Where(i => results[i] is not null).ToList();
        Assert.Single(winners);
        Assert.Equal(new[] { (byte)winners[0] }, await store.ReadAsync(key, None));
    }

    [Fact]
    public async Task A_lease_excludes_other_holders_and_each_acquisition_gets_a_larger_fence()
    {
        var store = CreateStore();
        var other = OpenSecondHandle(store);
        var key = Key(StoreEntryKind.Credential, "leased");

        var first = await store.TryAcquireLeaseAsync(key, "holder-a", LongLease, None);
        Assert.NotNull(first);
        Assert.Null(await other.TryAcquireLeaseAsync(key, "holder-b", LongLease, None));
        Assert.NotNull(await other.TryAcquireLeaseAsync(Key(StoreEntryKind.Credential, "another"), "holder-b", LongLease, None));

        await store.ReleaseLeaseAsync(first, None);
        var second = await other.TryAcquireLeaseAsync(key, "holder-b", LongLease, None);

        Assert.NotNull(second);
        Assert.True(second.Fence > first.Fence);
        Assert.Equal("holder-b", second.Holder);
    }

    [Fact]
    public async Task A_lease_expires_by_itself_and_a_renewed_one_does_not()
    {
        var store = CreateStore();
        var other = OpenSecondHandle(store);
        var expiring = Key(StoreEntryKind.Credential, "expiring");
        var renewed = Key(StoreEntryKind.Credential, "renewed");
        var shortLease = TimeSpan.FromMilliseconds(600);
        var lapsing = await store.TryAcquireLeaseAsync(expiring, "holder-a", shortLease, None);
        var kept = await store.TryAcquireLeaseAsync(renewed, "holder-a", shortLease, None);
        Assert.NotNull(lapsing);
        Assert.NotNull(kept);

        var stopwatch = Stopwatch.StartNew();
        kept = await store.RenewLeaseAsync(kept, LongLease, None);
        Assert.NotNull(kept);
        var taken = await WaitForLeaseAsync(other, expiring, "holder-b");

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(300), $"taken after {stopwatch.Elapsed}");
        Assert.True(taken.Fence > lapsing.Fence);
        Assert.Null(await other.TryAcquireLeaseAsync(renewed, "holder-b", LongLease, None));
        Assert.Null(await store.RenewLeaseAsync(lapsing, LongLease, None)); // lost to holder-b: no renewal
    }

    [Fact]
    public async Task A_lease_outlives_the_handle_that_took_it()
    {
        // Unlike a lock, a lease does not end with its holder's connection or process: the holder may have spent the
        // refresh token already, so nobody else may refresh until the lease expires.
        var store = CreateStore();
        var key = Key(StoreEntryKind.Credential, "orphaned");
        var other = OpenSecondHandle(store);
        var lease = await store.TryAcquireLeaseAsync(key, "holder-a", TimeSpan.FromSeconds(1.5), None);
        Assert.NotNull(lease);
        if (store is IAsyncDisposable disposable && !ReferenceEquals(store, other))
        {
            await disposable.DisposeAsync(); // its sessions end, as a terminated or restarted one would
        }

        Assert.Null(await other.TryAcquireLeaseAsync(key, "holder-b", LongLease, None));
        var taken = await WaitForLeaseAsync(other, key, "holder-b");
        Assert.True(taken.Fence > lease.Fence);
    }

    [Fact]
    public async Task A_conditional_write_under_a_lease_fails_once_another_holder_took_it()
    {
        var store = CreateStore();
        var other = OpenSecondHandle(store);
        var key = Key(StoreEntryKind.Credential, "fenced");
        await store.WriteAsync(key, "old"u8.ToArray(), None);
        var version = (await store.ReadVersionedAsync(key, None))!.Version;
        var stale = await store.TryAcquireLeaseAsync(key, "holder-a", TimeSpan.FromMilliseconds(300), None);
        Assert.NotNull(stale);
        var current = await WaitForLeaseAsync(other, key, "holder-b");

        Assert.Null(await store.WriteIfVersionAsync(key, "stale holder"u8.ToArray(), version, stale, None));
        await store.ReleaseLeaseAsync(stale, None); // a stale release leaves the new holder's lease alone
        Assert.Null(await store.TryAcquireLeaseAsync(key, "holder-c", LongLease, None));
        Assert.NotNull(await other.WriteIfVersionAsync(key, "current holder"u8.ToArray(), version, current, None));
        Assert.Equal("current holder"u8.ToArray(), await store.ReadAsync(key, None));
    }

    [Fact]
    public async Task An_expired_lease_that_nobody_took_still_fences_its_holders_write()
    {
        // The holder of a rotated token that could not be saved before its lease ran out may still save it, as long as
        // no other holder took the lease (and so could not have read the old token to replay it).
        var store = CreateStore();
        var key = Key(StoreEntryKind.Credential, "late");
        var lease = await store.TryAcquireLeaseAsync(key, "holder-a", TimeSpan.FromMilliseconds(100), None);
        Assert.NotNull(lease);
        await Task.Delay(300);

        Assert.NotNull(await store.WriteIfVersionAsync(key, "saved late"u8.ToArray(), VersionedEntry.Absent, lease, None));
        Assert.NotNull(await store.RenewLeaseAsync(lease, LongLease, None));
    }

    private static async Task<StoreLease> WaitForLeaseAsync(ITokenStore store, StoreKey key, string holder)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < LockWait)
        {
            if (await store.TryAcquireLeaseAsync(key, holder, LongLease, None) is { } lease)
            {
                return lease;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("the lease never expired");
    }
}
