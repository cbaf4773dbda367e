using McpAuth.Storage;
using McpAuth.StoreContract;

namespace McpAuth.Tests.Storage;

public sealed class InMemoryTokenStoreContractTests : TokenStoreContract
{
    protected override ITokenStore CreateStore() => new InMemoryTokenStore();

    protected override ITokenStore OpenSecondHandle(ITokenStore store) => store;

    // The in-memory store keeps bytes as given: damaging them is writing garbage, which the vault must report.
    protected override async Task CorruptAsync(ITokenStore store, StoreKey key) =>
        await store.WriteAsync(key, "{not json"u8.ToArray(), CancellationToken.None);
}

public sealed class FileTokenStoreContractTests : TokenStoreContract, IDisposable
{
    private readonly List<TempHome> _homes = [];

    protected override ITokenStore CreateStore()
    {
        var home = new TempHome();
        _homes.Add(home);
        return FileTokenStore.Open(new FileTokenStoreOptions { Home = home.Path });
    }

    protected override ITokenStore OpenSecondHandle(ITokenStore store) =>
        FileTokenStore.Open(new FileTokenStoreOptions { Home = ((FileTokenStore)store).Home });

    protected override Task CorruptAsync(ITokenStore store, StoreKey key)
    {
        var path = ((FileTokenStore)store).EntryPath(key);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var home in _homes)
        {
            home.Dispose();
        }
    }
}
