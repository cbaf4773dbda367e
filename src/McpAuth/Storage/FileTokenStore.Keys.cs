using McpAuth.Storage.Keys;

namespace McpAuth.Storage;

/// <summary>
/// The store key: where it lives (the OS secret store or the key file, remembered in <c>store.key-protection</c>),
/// loaded at the store's first need and created once across processes.
/// </summary>
public sealed partial class FileTokenStore
{
    /// <summary>The key and the cipher made from it.</summary>
    private sealed class StoreKeyState(StoreKeyChoice choice)
    {
        public StoreKeyChoice Choice { get; } = choice;

        public EntryCipher Cipher { get; } = new(choice.Key);
    }

    /// <summary>Where the key lives: "os-keychain", "dpapi", "libsecret" or "key-file". Chooses the key of a new store.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreKeyUnavailable"/>.</exception>
    public string KeyProtection => Key.Choice.Protection;

    /// <summary>Why a stronger key protection was skipped (e.g. "no D-Bus session bus"); null when none was.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreKeyUnavailable"/>.</exception>
    public string? KeyProtectionNote => Key.Choice.FallbackReason;

    /// <summary>
    /// The store key, loaded (for a new store: chosen and created) at the first need, the first entry read or written,
    /// not at <see cref="Open"/>. Opening costs no key I/O then: an engine reads the store key on the thread that
    /// reads its first credential ahead of the first request, and a new store's first login creates the key in the
    /// background write of its first record, off the login's critical path. A failure is not kept: the next use tries again.
    /// </summary>
    private StoreKeyState Key => _key ?? LoadKey();

    private StoreKeyState LoadKey()
    {
        lock (_keySetup)
        {
            if (_key is { } loaded)
            {
                return loaded;
            }
            var protectors = _protectors ?? DefaultProtectors(Home);
            return _key = new StoreKeyState(StoreKeySelector.TryLoadRemembered(protectors, MarkerPath(Home)) ?? ChooseKey(protectors));
        }
    }

    private StoreKeyChoice ChooseKey(IReadOnlyList<IKeyProtector> protectors)
    {
        EnsureFolders(); // the key's lock, file and marker live in the home
        return ChooseKeyUnderLock(Home, protectors);
    }

    // Choosing or creating the key is serialized across processes, so two first starts cannot create two keys.
    private static StoreKeyChoice ChooseKeyUnderLock(string home, IReadOnlyList<IKeyProtector> protectors)
    {
        using (FileLock.Acquire(Path.Combine(home, "store.key.lock"), "store.key", KeySetupTimeout))
        {
            return StoreKeySelector.Choose(protectors, MarkerPath(home));
        }
    }

    /// <summary>
    /// The default protectors, as the store remembered its choice (<c>store.key-protection</c>): only the key file when
    /// it chose the key file, only this platform's OS secret store when it chose that one, and both (the OS store first)
    /// before it chose. The OS protector is not even constructed when the key file was chosen: it loads the MSAL
    /// libraries, time a short-lived command (<c>mcpauth token</c>) should not spend. Read by the store at its first
    /// need of the key, not at <see cref="Open"/>.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreKeyUnavailable"/> when the choice cannot be read.</exception>
    public static IReadOnlyList<IKeyProtector> DefaultProtectors(string home)
    {
        var keyFile = new KeyFileProtector(Path.Combine(home, "store.key"));
        var remembered = StoreKeySelector.ReadMarker(MarkerPath(home));
        if (remembered == KeyProtectionNames.KeyFile)
        {
            return [keyFile];
        }
        var os = OsKeyProtector.ForCurrentPlatform(home);
        return (os, remembered) switch
        {
            (null, _) => [keyFile],
            (_, null) => [os, keyFile],
            _ when os.Name == remembered => [os],
            _ => [os, keyFile], // a choice this platform does not know: the selector says so (StoreKeyUnavailable)
        };
    }

    private static string MarkerPath(string home) => Path.Combine(home, "store.key-protection");
}
