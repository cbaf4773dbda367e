using McpAuth.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpAuth.Extensions.DependencyInjection;

/// <summary>Configures McpAuth after <see cref="McpAuthServiceCollectionExtensions.AddMcpAuth"/>: the token store.</summary>
public sealed class McpAuthBuilder
{
    internal McpAuthBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection McpAuth is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Stores tokens in encrypted files under <paramref name="home"/> (default: <c>MCPAUTH_HOME</c>, else the user's
    /// McpAuth folder; see <see cref="McpAuthHome.Resolve"/>). This is the default store.
    /// </summary>
    public McpAuthBuilder UseFileStore(string? home = null) =>
        UseStore(_ => FileTokenStore.Open(new FileTokenStoreOptions { Home = home }));

    /// <summary>Keeps tokens in memory only: they are gone when the process ends. For tests and short-lived tools.</summary>
    public McpAuthBuilder UseInMemoryStore() => UseStore(_ => new InMemoryTokenStore());

    /// <summary>Uses the store <paramref name="factory"/> creates (once, as a singleton).</summary>
    public McpAuthBuilder UseStore(Func<IServiceProvider, ITokenStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Replace(ServiceDescriptor.Singleton(factory));
        return this;
    }
}
