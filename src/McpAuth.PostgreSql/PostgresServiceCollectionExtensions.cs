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
        services.Replace(ServiceDescriptor.Singleton<ITokenStore>(_ => new DeferredPostgresTokenStore(options)));
        return services;
    }
}

/// <summary>
/// The store behind <see cref="PostgresServiceCollectionExtensions.AddMcpAuthPostgreSql"/>: created on first use; a failed
/// creation (database down) is tried again on the next use.
/// </summary>
internal sealed class DeferredPostgresTokenStore(PostgresTokenStoreOptions options) : ITokenStore, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private Task<PostgresTokenStore>? _store;

    public string BackendName => "postgresql";

    public async ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ReadAsync(key, cancellationToken).ConfigureAwait(false);

    public async ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).WriteAsync(key, value, cancellationToken).ConfigureAwait(false);

    public async ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).DeleteAsync(key, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ListAsync(kind, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).LockAsync(key, timeout, cancellationToken).ConfigureAwait(false);

    public async ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false);

    public async ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).WriteIfVersionAsync(key, value, expectedVersion, lease,
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).TryAcquireLeaseAsync(key, holder, duration, cancellationToken)
            .ConfigureAwait(false);

    public async ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).RenewLeaseAsync(lease, duration, cancellationToken).ConfigureAwait(false);

    public async ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken) =>
        await (await StoreAsync(cancellationToken).ConfigureAwait(false)).ReleaseLeaseAsync(lease, cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_store is { IsCompletedSuccessfully: true } store)
        {
            await store.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task<PostgresTokenStore> StoreAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_store is null or { IsFaulted: true } or { IsCanceled: true })
            {
                _store = PostgresTokenStore.CreateAsync(options, CancellationToken.None);
            }
            return _store.WaitAsync(cancellationToken);
        }
    }
}
