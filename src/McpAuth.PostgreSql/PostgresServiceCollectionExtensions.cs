using McpAuth.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpAuth.PostgreSql;

/// <summary>Registers the PostgreSQL token store for McpAuth's dependency injection (<c>AddMcpAuth</c>).</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Makes <see cref="PostgresTokenStore"/> the McpAuth token store (replacing the file store), whether called before or
    /// after <c>AddMcpAuth</c>. The store connects and migrates its schema on first use.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The store options (connection, envelope key).</param>
    public static IServiceCollection AddMcpAuthPostgreSql(this IServiceCollection services, PostgresTokenStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.Replace(ServiceDescriptor.Singleton<ITokenStore>(_ => new DeferredTokenStore(
            "postgresql", async cancellationToken => await PostgresTokenStore.CreateAsync(options, cancellationToken).ConfigureAwait(false))));
        return services;
    }
}
