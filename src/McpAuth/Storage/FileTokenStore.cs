using System.Collections.Concurrent;
using McpAuth.Storage.Keys;

namespace McpAuth.Storage;

/// <summary>Where and how <see cref="FileTokenStore.Open"/> keeps its files.</summary>
public sealed record FileTokenStoreOptions
{
    /// <summary>The McpAuth home; <see cref="McpAuthHome.Resolve"/> when null.</summary>
    public string? Home { get; init; }

    /// <summary>
    /// Where the store key may live, strongest first. Null means <see cref="FileTokenStore.DefaultProtectors"/>, chosen
    /// when the store first needs its key (the OS secret store of this platform, then the key file <c>store.key</c>
    /// beside the store; only the remembered one once the store chose). Tests pass their own.
    /// </summary>
    public IReadOnlyList<IKeyProtector>? KeyProtectors { get; init; }

    /// <summary>The clock refresh leases expire by; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }
}

/// <summary>
/// The embedded default store: one encrypted file per entry under <c>{home}/store/{Kind}/{id}.entry</c>, private to
/// the user (files 0600, folders 0700), replaced atomically, locked across processes with OS file locks.
/// No keychain and no database are needed; the key lives in the OS secret store where one works, else in
/// <c>{home}/store.key</c> (0600), and <see cref="KeyProtection"/> says which.
/// </summary>
public sealed partial class FileTokenStore : ITokenStore
{
    private const string EntryExtension = ".entry";
    private static readonly TimeSpan KeySetupTimeout = TimeSpan.FromSeconds(30);
    // Null: the defaults, resolved with the key (DefaultProtectors): opening constructs no OS protector, so no MSAL.
    private readonly IReadOnlyList<IKeyProtector>? _protectors;
    private readonly Lock _keySetup = new();
    private volatile StoreKeyState? _key;
    // Created by the first LockAsync: a process that only reads (`mcpauth token`) never loads the concurrent collections.
    private ConcurrentDictionary<string, SemaphoreSlim>? _gates;
    private int _swept;
    private int _kindFoldersSeen;
    private volatile bool _foldersMade;
    private readonly FileLeases _leases;

    private FileTokenStore(string home, IReadOnlyList<IKeyProtector>? protectors, TimeProvider time)
    {
        Home = home;
        Folder = Path.Combine(home, "store");
        _protectors = protectors;
        _leases = new FileLeases(Folder, time);
    }

    /// <inheritdoc/>
    public string BackendName => "file";

    /// <summary>The McpAuth home this store lives in.</summary>
    public string Home { get; }

    /// <summary>The folder holding the entries.</summary>
    public string Folder { get; }

    /// <summary>
    /// Creates the home and the store folder (0700) when missing, before the store's first change, lock or key: not at
    /// <see cref="Open"/>, so that opening costs no disk I/O, and a new store's folders are made by the first login's
    /// background write, off its critical path. A failure is not kept: the next change tries again.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/> when they cannot be created.</exception>
    private void EnsureFolders()
    {
        if (_foldersMade)
        {
            return;
        }
        McpAuthHome.EnsurePrivateDirectory(Home);
        McpAuthHome.EnsurePrivateDirectory(Folder);
        _foldersMade = true;
    }

    /// <summary>
    /// Opens the store in the McpAuth home, without touching the disk: reading a store that does not exist yet finds
    /// nothing, and its folders (0700) are created by its first change, lock or key. Its key is loaded, or for a new
    /// store created, at the first entry read or written (<see cref="KeyProtection"/> forces it); those then throw
    /// <see cref="McpAuthErrorCode.StoreKeyUnavailable"/> when no key can be loaded or created, and a change or lock
    /// throws <see cref="McpAuthErrorCode.StoreUnavailable"/> when the folders cannot be created. Temp files that dead
    /// processes left behind are removed before the store's first change (<see cref="SweepOrphanedTempFiles"/>).
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/> when no home is configured and the platform has none.</exception>
    public static FileTokenStore Open(FileTokenStoreOptions? options = null)
    {
        var home = options?.Home is { } configured ? Path.GetFullPath(configured) : McpAuthHome.Resolve();
        return new FileTokenStore(home, options?.KeyProtectors, options?.TimeProvider ?? TimeProvider.System);
    }

    /// <summary>The file of one entry (whether or not it exists).</summary>
    public string EntryPath(StoreKey key) => Path.Combine(KindFolder(key.Kind), key.Id + EntryExtension);

    /// <summary>The folder of one kind's entries (whether or not it exists).</summary>
    private string KindFolder(StoreEntryKind kind) => Path.Combine(Folder, StoreEntryKinds.NameOf(kind));

    /// <summary>
    /// Removes temp files left by processes that died while writing. Returns how many were removed. Done once by each
    /// store before its first change; readers never see temp files, so a process that only reads does not pay for it.
    /// </summary>
    public int SweepOrphanedTempFiles()
    {
        var removed = 0;
        foreach (var kind in StoreEntryKinds.All)
        {
            removed += AtomicFile.SweepOrphans(KindFolder(kind));
        }
        return removed + AtomicFile.SweepOrphans(FileLeases.FolderOf(Folder));
    }

    private void SweepBeforeFirstChange()
    {
        if (Interlocked.Exchange(ref _swept, 1) == 0)
        {
            SweepOrphanedTempFiles();
        }
    }

    /// <summary>
    /// Whether the folder of <paramref name="kind"/> exists; once seen, it is not asked again (folders are never removed).
    /// Without it no entry of that kind exists, and a read need not throw and catch a FileNotFoundException to say so.
    /// </summary>
    private bool KindFolderExists(StoreEntryKind kind)
    {
        var bit = 1 << (int)kind;
        if ((Volatile.Read(ref _kindFoldersSeen) & bit) != 0)
        {
            return true;
        }
        if (!Directory.Exists(KindFolder(kind)))
        {
            return false;
        }
        Interlocked.Or(ref _kindFoldersSeen, bit);
        return true;
    }

    /// <inheritdoc/>
    public ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(ReadSealed(key) is { } sealedEntry ? Key.Cipher.Open(key, sealedEntry) : null);
    }

    /// <inheritdoc/>
    /// <remarks>The version is a hash of the sealed file, so it needs no second file and changes with every write.</remarks>
    public ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(ReadSealed(key) is { } sealedEntry
            ? new VersionedEntry(Key.Cipher.Open(key, sealedEntry), FileLeases.VersionOf(sealedEntry))
            : null);
    }

    /// <summary>The sealed bytes of one entry, or null when it does not exist.</summary>
    private byte[]? ReadSealed(StoreKey key)
    {
        if (!KindFolderExists(key.Kind))
        {
            return null; // a new store's first login misses every kind: no exception for each
        }
        try
        {
            return File.ReadAllBytes(EntryPath(key));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString(), e);
        }
        catch (IOException e)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, key.ToString(), e);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Compared and replaced under the key's short lease lock, so two conditional writers cannot both win. A plain
    /// <see cref="WriteAsync"/> does not take that lock: it is for writes that replace whatever is there (a login).
    /// </remarks>
    public async ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sealedEntry = SealForWrite(key, value.Span);
        return await _leases.GuardAsync<long?>(key, () =>
        {
            var current = ReadSealed(key) is { } existing ? FileLeases.VersionOf(existing) : VersionedEntry.Absent;
            if (current != expectedVersion || lease is not null && !_leases.IsCurrent(lease))
            {
                return null;
            }
            AtomicFile.Replace(EntryPath(key), sealedEntry);
            return FileLeases.VersionOf(sealedEntry);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Readies the folders for a write of <paramref name="key"/> and seals <paramref name="value"/> for it.</summary>
    private byte[] SealForWrite(StoreKey key, ReadOnlySpan<byte> value)
    {
        EnsureFolders();
        SweepBeforeFirstChange();
        var sealedEntry = Key.Cipher.Seal(key, value);
        EnsureKindFolder(key.Kind);
        return sealedEntry;
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sealedEntry = SealForWrite(key, value.Span);
        try
        {
            AtomicFile.Replace(EntryPath(key), sealedEntry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, key.ToString(), e);
        }
        return ValueTask.CompletedTask;
    }

    // Asked at every write (a stat when it exists): a folder removed by hand while the process runs comes back.
    private void EnsureKindFolder(StoreEntryKind kind)
    {
        McpAuthHome.EnsurePrivateDirectory(KindFolder(kind));
        Interlocked.Or(ref _kindFoldersSeen, 1 << (int)kind);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SweepBeforeFirstChange();
        try
        {
            return ValueTask.FromResult(AtomicFile.Delete(EntryPath(key)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, key.ToString(), e);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var name = StoreEntryKinds.NameOf(kind);
        var folder = KindFolder(kind);
        try
        {
            // A plain loop into an array: `mcpauth token` lists credentials, and LINQ would load System.Linq at every start.
            var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*" + EntryExtension) : [];
            var keys = new StoreKey[files.Length];
            var count = 0;
            foreach (var file in files)
            {
                var fileName = Path.GetFileName(file);
                if (!fileName.StartsWith('.'))
                {
                    keys[count++] = new StoreKey(kind, fileName[..^EntryExtension.Length]);
                }
            }
            return ValueTask.FromResult<IReadOnlyList<StoreKey>>(count == keys.Length ? keys : keys[..count]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, name, e);
        }
    }
}
