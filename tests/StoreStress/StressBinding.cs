using McpAuth.Storage;

namespace StoreStress;

/// <summary>The one credential every stress process fights over.</summary>
public static class StressBinding
{
    public static readonly CredentialBinding Value = new("default", "http://127.0.0.1/mcp", "http://127.0.0.1", "stress-client");

    /// <summary>Tells the parent (first stdout line) that start-up is over, so its kill lands in the work.</summary>
    public static void SignalReady()
    {
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
    }

    public static FileTokenStore OpenStore(string home) => FileTokenStore.Open(new FileTokenStoreOptions { Home = home });
}
