namespace McpAuth.Storage;

/// <summary>What kind of entry a <see cref="StoreKey"/> names. Names are persisted: never rename.</summary>
public enum StoreEntryKind
{
    /// <summary>Tokens for one binding (profile, resource, issuer, client id).</summary>
    Credential,
    /// <summary>Which client id is active for (profile, resource, issuer).</summary>
    ActiveClient,
    /// <summary>A client registration for (issuer, redirect URI).</summary>
    Registration,
    /// <summary>Discovery results (URLs and age) for a resource.</summary>
    Discovery,
    /// <summary>An identity provider's ID token for enterprise-managed authorization.</summary>
    IdentityToken,
}

/// <summary>
/// The persisted names of <see cref="StoreEntryKind"/> values (folder names, associated data, database values), spelled
/// out so the store's start-up does not pay for reflection-based enum formatting.
/// </summary>
public static class StoreEntryKinds
{
    /// <summary>Every kind, in declaration order. An array, so a loop over it needs no generic code compiled at start.</summary>
    internal static readonly StoreEntryKind[] All =
    [
        StoreEntryKind.Credential, StoreEntryKind.ActiveClient, StoreEntryKind.Registration, StoreEntryKind.Discovery,
        StoreEntryKind.IdentityToken,
    ];

    /// <summary>The name of <paramref name="kind"/>, identical to <c>kind.ToString()</c>.</summary>
    public static string NameOf(StoreEntryKind kind) => kind switch
    {
        StoreEntryKind.Credential => nameof(StoreEntryKind.Credential),
        StoreEntryKind.ActiveClient => nameof(StoreEntryKind.ActiveClient),
        StoreEntryKind.Registration => nameof(StoreEntryKind.Registration),
        StoreEntryKind.Discovery => nameof(StoreEntryKind.Discovery),
        StoreEntryKind.IdentityToken => nameof(StoreEntryKind.IdentityToken),
        _ => kind.ToString(),
    };

    /// <summary>The kind named <paramref name="name"/> (as <see cref="NameOf"/> spells it); false for a name this version does not know.</summary>
    public static bool TryParse(string name, out StoreEntryKind kind)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(NameOf(candidate), name, StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }
}

/// <summary>The address of one entry. <see cref="Id"/> is a canonical string built by the typed vault layer.</summary>
/// <remarks>A class, not a struct: collections of a struct from this assembly are JIT-compiled at every start.</remarks>
public sealed record StoreKey(StoreEntryKind Kind, string Id)
{
    /// <summary>The kind and id, e.g. <c>Credential/abc</c>; safe to log.</summary>
    public override string ToString() => StoreEntryKinds.NameOf(Kind) + "/" + Id;
}

/// <summary>
/// The storage backend contract: one entry per credential (never a shared blob), atomic writes, per-entry
/// failures, and a lock that holds across threads and processes (and machines, for shared backends).
/// Backends encrypt at rest. Every backend must pass the store contract test suite.
/// </summary>
public interface ITokenStore
{
    /// <summary>A short name for status output: "file", "postgresql", "memory".</summary>
    string BackendName { get; }

    /// <summary>Reads one entry, or null when it does not exist.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreEntryCorrupt"/> naming the entry when it cannot be read or decrypted;
    /// <see cref="McpAuthErrorCode.StoreUnavailable"/> when the store itself cannot be reached.
    /// </exception>
    ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken);

    /// <summary>Replaces one entry atomically: readers see the old or the new value, never a mix.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/>; nothing is half-written.</exception>
    ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken);

    /// <summary>Deletes one entry; false when it did not exist.</summary>
    ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken);

    /// <summary>Lists the keys of one kind. A corrupt entry is still listed (so it can be reported and deleted).</summary>
    ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken);

    /// <summary>
    /// Takes an exclusive lock named by <paramref name="key"/> that excludes other threads, processes and (for shared
    /// backends) machines. Released on dispose, and by the OS or database if the holder dies.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreLockTimeout"/> after <paramref name="timeout"/>.</exception>
    ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Reads one entry with its version: an opaque stamp, kept by the store outside the encrypted payload, that changes
    /// with every write of the entry (never 0). Null when the entry does not exist.
    /// </summary>
    /// <exception cref="McpAuthException">As <see cref="ReadAsync"/>.</exception>
    ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces one entry atomically only when its version is still <paramref name="expectedVersion"/>
    /// (<see cref="VersionedEntry.Absent"/>: only when it does not exist) and, when <paramref name="lease"/> is given, that
    /// lease is still the current one for <paramref name="key"/> (no other holder took it since, expired or not): a
    /// compare-and-set, so a stale writer cannot overwrite a newer value.
    /// </summary>
    /// <returns>The entry's new version, or null when a condition failed (nothing was written).</returns>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/>; nothing is half-written.</exception>
    ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease of <paramref name="key"/> for <paramref name="holder"/> unless another holder's lease on it has
    /// not expired yet. Unlike <see cref="LockAsync"/>, a lease does not end with the holder's process or database
    /// session: it ends when released or when <paramref name="duration"/> has passed (by the store's clock), so a holder
    /// that lost its connection keeps the key until then. Every acquisition gets a fencing token larger than any before
    /// on that key. Taking a lease is a write: a read-only or unreachable store throws.
    /// </summary>
    /// <returns>The lease, or null when another holder has it.</returns>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/> when it cannot be written.</exception>
    ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// Extends <paramref name="lease"/> to <paramref name="duration"/> from now, if no other holder took it (whether or
    /// not it had expired). Null when it was lost.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/>.</exception>
    ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Ends <paramref name="lease"/> if it is still the current one; does nothing otherwise.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/>; the lease then expires by itself.</exception>
    ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken);

}
