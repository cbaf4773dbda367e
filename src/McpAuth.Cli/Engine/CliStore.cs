using McpAuth.Storage;
using McpAuth.Storage.Keys;

namespace McpAuth.Cli.Engine;

/// <summary>
/// The store this process keeps credentials in, and its description for <c>status</c>. Chosen in one place,
/// <see cref="Open"/>, from the environment (<see cref="StoreSettings"/>): the file store under the McpAuth home, or a
/// PostgreSQL store that several machines share. What the CLI remembers per user (login settings, callback ports, login
/// locks) stays in the McpAuth home either way.
/// </summary>
internal sealed class CliStore(ITokenStore store, Func<StorageInfo> describe) : IAsyncDisposable
{
    public ITokenStore Store { get; } = store;

    /// <summary>The backend and its key, for status (the file store's forces its key choice: ask only when shown).</summary>
    public StorageInfo Describe() => describe();

    /// <summary>The store the environment chooses.</summary>
    /// <exception cref="McpAuthException">A store variable is missing or wrong; the message names it (<see cref="StoreSettings"/>).</exception>
    public static CliStore Open(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        return StoreSettings.FromEnvironment(cli.Environment) is { } postgres ? PostgresCliStore.Open(cli, postgres) : OpenFile(cli.Home);
    }

    /// <summary>
    /// The file store loads only the key protector it remembered choosing, at its first need of the key (see
    /// <see cref="FileTokenStore.DefaultProtectors"/>): a store on the key file never loads the OS secret store's libraries.
    /// </summary>
    private static CliStore OpenFile(string home)
    {
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = home });
        return new CliStore(store, () => new StorageInfo(store.BackendName, store.KeyProtection, store.KeyProtection != KeyProtectionNames.KeyFile));
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }
}
