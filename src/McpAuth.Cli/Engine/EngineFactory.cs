using McpAuth.Storage;
using McpAuth.Storage.Keys;

namespace McpAuth.Cli.Engine;

/// <summary>Creates the engine for this process: the file store under the McpAuth home and the OAuth operations.</summary>
internal static class EngineFactory
{
    public static ICliEngine Create(CliContext cli)
    {
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = cli.Home, KeyProtectors = Protectors(cli.Home) });
        return new CliEngine(cli, store);
    }

    /// <summary>
    /// When the store already chose the key file, only the key file protector: the OS protectors load the MSAL
    /// libraries, tens of milliseconds that `mcpauth token` must not spend. Otherwise the store's defaults (which keep
    /// the remembered choice).
    /// </summary>
    private static IReadOnlyList<IKeyProtector>? Protectors(string home)
    {
        try
        {
            var remembered = File.ReadAllText(Path.Combine(home, "store.key-protection")).Trim();
            return remembered == KeyProtectionNames.KeyFile ? [new KeyFileProtector(Path.Combine(home, "store.key"))] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
