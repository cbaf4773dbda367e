namespace McpAuth.Storage.Keys;

/// <summary>
/// Keeps the store's 256-bit encryption key somewhere safer than the store itself. One implementation per kind of
/// secret store: the OS one (macOS Keychain, Windows DPAPI, libsecret) and the key file fallback.
/// </summary>
public interface IKeyProtector
{
    /// <summary>The protection name shown by <c>status</c>: "os-keychain", "dpapi", "libsecret" or "key-file".</summary>
    string Name { get; }

    /// <summary>Whether this protector can work here; when not, <paramref name="reason"/> says why (safe to show).</summary>
    bool IsAvailable(out string? reason);

    /// <summary>The stored key, or null when none was stored yet.</summary>
    byte[]? LoadKey();

    /// <summary>Stores the key, replacing any previous one.</summary>
    void SaveKey(byte[] key);
}

/// <summary>Well-known <see cref="IKeyProtector.Name"/> values.</summary>
public static class KeyProtectionNames
{
    /// <summary>The macOS Keychain.</summary>
    public const string MacKeychain = "os-keychain";
    /// <summary>Windows DPAPI (current user).</summary>
    public const string Dpapi = "dpapi";
    /// <summary>The Linux Secret Service (libsecret).</summary>
    public const string Libsecret = "libsecret";
    /// <summary>A 0600 key file beside the store (no OS secret store).</summary>
    public const string KeyFile = "key-file";
}
