using McpAuth.Storage;

namespace StoreStress;

/// <summary>The one credential every stress process fights over.</summary>
public static class StressBinding
{
    public static readonly CredentialBinding Value = new("default", "http://127.0.0.1/mcp", "http://127.0.0.1", "stress-client");

    public static FileTokenStore OpenStore(string home) => FileTokenStore.Open(new FileTokenStoreOptions { Home = home });
}
