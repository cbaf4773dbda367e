using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Storage;

/// <summary>
/// The file store's refresh leases and conditional writes. A lease is a small record file,
/// <c>{store}/leases/{Kind}-{id}.lease</c> (holder, fencing token, expiry in Unix milliseconds; nothing secret), replaced
/// atomically. Every lease change and every conditional write of that key happens under a short OS file lock,
/// <c>{store}/locks/{Kind}-{id}.lease.lock</c> (not the entry's <see cref="ITokenStore.LockAsync"/> file, which a
/// caller may hold around them). A lease record is never deleted, so fencing tokens only grow.
/// </summary>
internal sealed class FileLeases(string storeFolder, TimeProvider time)
{
    private static readonly TimeSpan GuardTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The version of a sealed entry: the first 8 bytes of its SHA-256 (its nonce is new at every write).</summary>
    public static long VersionOf(ReadOnlySpan<byte> sealedEntry)
    {
        var version = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(sealedEntry));
        return version == VersionedEntry.Absent ? 1 : version;
    }

    /// <summary>Runs <paramref name="change"/> under the key's short lease lock (other threads and processes wait).</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/> when the lock cannot be made or taken.</exception>
    public async ValueTask<T> GuardAsync<T>(StoreKey key, Func<T> change, CancellationToken cancellationToken)
    {
        var locks = Path.Combine(storeFolder, "locks");
        McpAuthHome.EnsurePrivateDirectory(locks);
        FileStream held;
        try
        {
            held = await FileLock.AcquireAsync(Path.Combine(locks, FileName(key) + ".lease.lock"), key.ToString(), GuardTimeout,
                cancellationToken).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreLockTimeout)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, key.ToString(), e);
        }
        await using (held.ConfigureAwait(false))
        {
            try
            {
                return change();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, key.ToString(), e);
            }
        }
    }

    /// <summary>Takes the lease unless another holder's has not expired. Call under <see cref="GuardAsync"/>.</summary>
    public StoreLease? TryAcquire(StoreKey key, string holder, TimeSpan duration)
    {
        var held = Read(key);
        var now = time.GetUtcNow();
        if (held is not null && held.ExpiresAt > now && held.Holder != holder)
        {
            return null;
        }
        return Write(new StoreLease(key, holder, (held?.Fence ?? 0) + 1, now + duration));
    }

    /// <summary>Extends the lease when it is still the current one. Call under <see cref="GuardAsync"/>.</summary>
    public StoreLease? Renew(StoreLease lease, TimeSpan duration) =>
        IsCurrent(lease) ? Write(lease with { ExpiresAt = time.GetUtcNow() + duration }) : null;

    /// <summary>Expires the lease when it is still the current one (the record stays, for the fence). Under <see cref="GuardAsync"/>.</summary>
    public bool Release(StoreLease lease)
    {
        if (IsCurrent(lease))
        {
            Write(lease with { ExpiresAt = DateTimeOffset.UnixEpoch });
        }
        return true;
    }

    /// <summary>Whether no other holder took <paramref name="lease"/>'s key since it was issued.</summary>
    public bool IsCurrent(StoreLease lease) => Read(lease.Key) is { } held && held.Fence == lease.Fence && held.Holder == lease.Holder;

    private StoreLease? Read(StoreKey key)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllText(PathOf(key), Encoding.UTF8).Split('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (lines.Length < 4 || lines[0] != "lease-v1"
            || !long.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out var fence)
            || !long.TryParse(lines[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expires))
        {
            // A damaged record is treated as expired; the fence must still grow, so start above any plausible one.
            return new StoreLease(key, string.Empty, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), DateTimeOffset.UnixEpoch);
        }
        return new StoreLease(key, lines[1], fence, DateTimeOffset.FromUnixTimeMilliseconds(expires));
    }

    private StoreLease Write(StoreLease lease)
    {
        if (lease.Holder.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("A lease holder is one line.", nameof(lease));
        }
        var folder = FolderOf(storeFolder);
        McpAuthHome.EnsurePrivateDirectory(folder);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"lease-v1\n{lease.Holder}\n{lease.Fence}\n{lease.ExpiresAt.ToUnixTimeMilliseconds()}\n");
        AtomicFile.Replace(PathOf(lease.Key), Encoding.UTF8.GetBytes(text));
        return lease;
    }

    private string PathOf(StoreKey key) => Path.Combine(FolderOf(storeFolder), FileName(key) + ".lease");

    /// <summary>The folder of the lease records (its temp files are swept with the entries').</summary>
    public static string FolderOf(string storeFolder) => Path.Combine(storeFolder, "leases");

    private static string FileName(StoreKey key) => StoreEntryKinds.NameOf(key.Kind) + "-" + key.Id;
}
