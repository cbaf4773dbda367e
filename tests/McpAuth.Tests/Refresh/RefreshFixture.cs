using McpAuth.Engine.Events;
using McpAuth.Engine.Lifecycle;
using McpAuth.Engine.Refresh;
using McpAuth.Storage;

namespace McpAuth.Tests.Refresh;

/// <summary>A lifecycle over an in-memory store with a manual clock, and helpers to make credentials and token answers.</summary>
internal sealed class RefreshFixture
{
    public static readonly CredentialBinding Binding = new("default", "https://mcp.example/", "https://as.example", "client-1");

    public RefreshFixture(ITokenStore? store = null, RefreshOptions? options = null)
    {
        Store = store ?? new InMemoryTokenStore();
        Vault = new TokenVault(Store);
        Lifecycle = new CredentialLifecycle(Vault, Time, options ?? FastOptions);
    }

    public static RefreshOptions FastOptions { get; } = new()
    {
        BaseBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(20),
        MaxTransientRetries = 3,
        LockTimeout = TimeSpan.FromSeconds(20),
    };

    public ManualTimeProvider Time { get; } = new();

    public ITokenStore Store { get; }

    public TokenVault Vault { get; }

    public CredentialLifecycle Lifecycle { get; }

    public RefreshCoordinator Coordinator => Lifecycle.Refresh;

    public StoredCredential Credential(TimeSpan expiresIn, string accessToken = "at-1", string? refreshToken = "rt-1") => new()
    {
        Binding = Binding,
        Tokens = new TokenSet
        {
            AccessToken = accessToken,
            RefreshToken = refreshToken,
            ExpiresAt = Time.GetUtcNow() + expiresIn,
            Scope = "mcp:read",
        },
        TokenEndpoint = "https://as.example/token",
        Generation = 1,
    };

    public async Task<StoredCredential> SaveAsync(StoredCredential credential)
    {
        await Vault.SaveCredentialAsync(credential, CancellationToken.None);
        return credential;
    }

    public TokenSet Tokens(string accessToken, string? refreshToken, TimeSpan? expiresIn = null) => new()
    {
        AccessToken = accessToken,
        RefreshToken = refreshToken,
        ExpiresAt = Time.GetUtcNow() + (expiresIn ?? TimeSpan.FromHours(1)),
    };

    public Task<StoredCredential?> StoredAsync() => Vault.GetCredentialAsync(Binding, CancellationToken.None).AsTask();
}

/// <summary>A refresh callback that counts calls and answers from a script.</summary>
internal sealed class CountingRefresh(Func<int, StoredCredential, Task<TokenSet>> answer)
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public List<string?> RefreshTokensSeen { get; } = [];

    public RefreshCallback Callback => async (current, _) =>
    {
        var call = Interlocked.Increment(ref _calls);
        lock (RefreshTokensSeen)
        {
            RefreshTokensSeen.Add(current.Tokens.RefreshToken);
        }
        return await answer(call, current);
    };
}

/// <summary>A store whose writes and deletes can be made to fail, to check that nothing half-happens.</summary>
internal sealed class FailingStore(ITokenStore inner) : ITokenStore
{
    public bool FailWrites { get; set; }

    public string BackendName => inner.BackendName;

    public ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

    public ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        FailWrites ? throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, key.ToString()) : inner.WriteAsync(key, value, cancellationToken);

    public ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken) =>
        FailWrites ? throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, key.ToString()) : inner.DeleteAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) => inner.ListAsync(kind, cancellationToken);

    public ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken) =>
        inner.LockAsync(key, timeout, cancellationToken);

    public ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken) =>
        inner.ReadVersionedAsync(key, cancellationToken);

    public ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken) =>
        FailWrites ? throw Unavailable(key) : inner.WriteIfVersionAsync(key, value, expectedVersion, lease, cancellationToken);

    /// <summary>Taking or renewing a lease is a write, and fails with them.</summary>
    public ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        FailWrites ? throw Unavailable(key) : inner.TryAcquireLeaseAsync(key, holder, duration, cancellationToken);

    public ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken) =>
        FailWrites ? throw Unavailable(lease.Key) : inner.RenewLeaseAsync(lease, duration, cancellationToken);

    public ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken) =>
        FailWrites ? throw Unavailable(lease.Key) : inner.ReleaseLeaseAsync(lease, cancellationToken);

    private static McpAuthException Unavailable(StoreKey key) => new(McpAuthErrorCode.StoreUnavailable, key.ToString());
}
