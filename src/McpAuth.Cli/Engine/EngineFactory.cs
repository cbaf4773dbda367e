using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>Creates the engine for this process: the file store under the McpAuth home and the OAuth operations.</summary>
internal static class EngineFactory
{
    public static ICliEngine Create(CliContext cli)
    {
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = cli.Home });
        return new StoreEngine(cli, store, _ => new PendingOAuthOperations());
    }
}
