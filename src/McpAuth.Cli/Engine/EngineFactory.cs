using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>Creates the engine for this process: the file store under the McpAuth home and the engine over it.</summary>
internal static class EngineFactory
{
    /// <summary>
    /// The file store loads only the key protector it remembered choosing, at its first need of the key (see
    /// <see cref="FileTokenStore.DefaultProtectors"/>): a store on the key file never loads the OS secret store's libraries.
    /// </summary>
    public static ICliEngine Create(CliContext cli)
    {
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = cli.Home });
        return new CliEngine(cli, store);
    }
}
