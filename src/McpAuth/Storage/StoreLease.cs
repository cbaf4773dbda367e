namespace McpAuth.Storage;

/// <summary>An entry's bytes and its version (see <see cref="ITokenStore.ReadVersionedAsync"/>).</summary>
/// <param name="Value">The entry, decrypted.</param>
/// <param name="Version">An opaque stamp that changes with every write; never <see cref="Absent"/>.</param>
public sealed record VersionedEntry(byte[] Value, long Version)
{
    /// <summary>The version of an entry that does not exist, for <see cref="ITokenStore.WriteIfVersionAsync"/>.</summary>
    public const long Absent = 0;

    /// <summary>The version only; the value is secret.</summary>
    public override string ToString() => $"VersionedEntry {{ Version = {Version}, Length = {Value.Length} }}";
}

/// <summary>
/// A held lease on one store key (see <see cref="ITokenStore.TryAcquireLeaseAsync"/>).
/// </summary>
/// <param name="Key">The key it is on.</param>
/// <param name="Holder">Who holds it: an id unique to one process (never a secret).</param>
/// <param name="Fence">The fencing token: larger for every new acquisition of <paramref name="Key"/>.</param>
/// <param name="ExpiresAt">When it expires, by the store's clock, unless renewed.</param>
public sealed record StoreLease(StoreKey Key, string Holder, long Fence, DateTimeOffset ExpiresAt);
