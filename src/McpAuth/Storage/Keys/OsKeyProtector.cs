using System.Diagnostics;
using Microsoft.Identity.Client.Extensions.Msal;
using MsalStorage = Microsoft.Identity.Client.Extensions.Msal.Storage;

namespace McpAuth.Storage.Keys;

/// <summary>
/// The key in the OS secret store, through X:
/// the macOS Keychain, a DPAPI-protected file on Windows, or the libsecret keyring on Linux (needs a session bus).
/// </summary>
public sealed class OsKeyProtector : IKeyProtector
{
    private const string ServiceName = "McpAuth";
    private readonly StorageCreationProperties _properties;
    private readonly Func<string, string?> _getEnvironmentVariable;

    private OsKeyProtector(string name, StorageCreationProperties properties, Func<string, string?> getEnvironmentVariable)
    {
        Name = name;
        _properties = properties;
        _getEnvironmentVariable = getEnvironmentVariable;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The OS protector for this platform, or null where there is none.</summary>
    /// <param name="home">The McpAuth home; the key is labelled with it so two homes keep two keys.</param>
    /// <param name="getEnvironmentVariable">Reads an environment variable (the session bus address on Linux).</param>
    public static OsKeyProtector? ForCurrentPlatform(string home, Func<string, string?>? getEnvironmentVariable = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        var account = "store-key:" + home;
        var builder = new StorageCreationPropertiesBuilder("store.key.os", home);
        if (OperatingSystem.IsWindows())
        {
            return new(KeyProtectionNames.Dpapi, builder.Build(), getEnvironmentVariable);
        }
        if (OperatingSystem.IsMacOS())
        {
            return new(KeyProtectionNames.MacKeychain, builder.WithMacKeyChain(ServiceName, account).Build(), getEnvironmentVariable);
        }
        if (OperatingSystem.IsLinux())
        {
            var properties = builder.WithLinuxKeyring("dev.mcpauth.store", "default", "McpAuth store key",
                new KeyValuePair<string, string>("application", ServiceName), new KeyValuePair<string, string>("home", home)).Build();
            return new(KeyProtectionNames.Libsecret, properties, getEnvironmentVariable);
        }
        return null;
    }

    /// <inheritdoc/>
    public bool IsAvailable(out string? reason)
    {
        if (Name == KeyProtectionNames.Libsecret && string.IsNullOrEmpty(_getEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS")))
        {
            reason = "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)";
            return false;
        }
        try
        {
            Create().VerifyPersistence();
            reason = null;
            return true;
        }
#pragma warning disable CA1031 // Any failure of the OS store means: fall back to the key file, and say why.
        catch (Exception e)
#pragma warning restore CA1031
        {
            reason = $"{Name} unusable ({e.GetType().Name})";
            return false;
        }
    }

    /// <inheritdoc/>
    public byte[]? LoadKey()
    {
        var data = Create().ReadData();
        return data is { Length: > 0 } ? data : null;
    }

    /// <inheritdoc/>
    public void SaveKey(byte[] key) => Create().WriteData(key);

    private MsalStorage Create() => MsalStorage.Create(_properties, new TraceSource("McpAuth.KeyProtector", SourceLevels.Off));
}
