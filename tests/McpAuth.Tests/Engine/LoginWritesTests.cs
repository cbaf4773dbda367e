using System.Collections.Concurrent;
using McpAuth.Engine;
using McpAuth.Storage;

namespace McpAuth.Tests.Orchestration;

/// <summary>
/// How a login writes the store: the discovery record and the registration as soon as they are known (before the user
/// is sent anywhere), then the credential and, when it changes, the active-client index, through the one save
/// (<see cref="Engine.Lifecycle.CredentialLifecycle.SaveAuthorizationAsync"/>); a failed flow leaves no write behind it.
/// </summary>
public class LoginWritesTests
{
    private static readonly Uri Server = new(OAuthWorld.Server);

    [Fact]
    public async Task A_registration_write_that_fails_fails_the_login_with_the_store_error_and_saves_no_credential()
    {
        var store = new RecordingStore { Fail = [StoreEntryKind.Registration] };
        var world = new OAuthWorld(store: store);

        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(Server, world.Interaction, default));

        Assert.Equal(McpAuthErrorCode.StoreUnavailable, e.Code);
        Assert.Equal(0, world.TokensIssued); // the registration is saved before the user is sent to the browser
        Assert.Empty((await world.Vault.ListCredentialsAsync(default)).Credentials);
        Assert.DoesNotContain("start Credential", store.Log);
    }

    [Fact]
    public async Task A_login_that_fails_waits_for_its_writes_so_none_runs_after_it_returns()
    {
        var store = new RecordingStore { Hold = [StoreEntryKind.Discovery], HoldFor = TimeSpan.FromMilliseconds(300) };
        var world = new OAuthWorld(store: store);
        var refusing = new RefusingInteraction();

        await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(Server, refusing, default));

        Assert.Contains("done Discovery", store.Log);
        Assert.Equal(0, store.Held);
    }

    [Fact]
    public async Task A_first_login_points_the_index_after_saving_the_credential_and_a_second_login_does_not_write_it_again()
    {
        var store = new RecordingStore();
        var world = new OAuthWorld(store: store);
        var client = world.Client();

        await client.AuthorizeAsync(Server, world.Interaction, default);
        var first = store.Log.ToList();
        // An index never names a client before its credential exists.
        Assert.True(first.IndexOf("done Credential") < first.IndexOf("start ActiveClient"), string.Join(", ", first));
        Assert.Equal(1, first.Count(e => e == "start ActiveClient"));

        await client.AuthorizeAsync(Server, world.Interaction, default);
        Assert.Equal(1, store.Log.Count(e => e == "start ActiveClient"));
        Assert.Equal(2, store.Log.Count(e => e == "start Credential"));
        Assert.Equal("client-1-as.example.com", await world.Vault.GetActiveClientIdAsync("default", OAuthWorld.Server, OAuthWorld.Issuer, default));
    }

    [Fact]
    public async Task An_index_naming_another_client_moves_only_after_the_new_credential_is_saved()
    {
        var store = new RecordingStore();
        var world = new OAuthWorld(store: store);
        await world.Vault.SetActiveClientIdAsync("default", OAuthWorld.Server, OAuthWorld.Issuer, "an-earlier-client", default);
        store.Log.Clear();

        await world.Client().AuthorizeAsync(Server, world.Interaction, default);

        var log = store.Log.ToList();
        Assert.Equal(1, log.Count(e => e == "start ActiveClient"));
        Assert.True(log.IndexOf("done Credential") < log.IndexOf("start ActiveClient"), string.Join(", ", log));
        Assert.Equal("client-1-as.example.com", await world.Vault.GetActiveClientIdAsync("default", OAuthWorld.Server, OAuthWorld.Issuer, default));
    }

    [Fact]
    public async Task A_login_replaces_a_corrupt_credential_of_its_own_binding_instead_of_failing_after_the_browser()
    {
        var store = new RecordingStore();
        var world = new OAuthWorld(store: store);
        var client = world.Client();
        await client.AuthorizeAsync(Server, world.Interaction, default);
        store.FailReads = [StoreEntryKind.Credential];

        var token = await client.AuthorizeAsync(Server, world.Interaction, default);

        store.FailReads = [];
        var binding = (await world.Vault.ListCredentialsAsync(default)).Credentials.Single().Binding;
        Assert.Equal(token.Value, (await world.Vault.GetCredentialAsync(binding, default))!.Tokens.AccessToken);
        Assert.Equal("at-2", token.Value);
    }

    private sealed class RefusingInteraction : IAuthorizationInteraction
    {
        public Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken) =>
            throw new McpAuthException(McpAuthErrorCode.AuthorizationDenied, "refused in the test");
    }
}

/// <summary>An in-memory store that logs each read and each write's start and end, and can hold writes of some kinds or fail them.</summary>
internal sealed class RecordingStore : ITokenStore
{
    private readonly InMemoryTokenStore _inner = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    public StoreEntryKind[] Hold { get; init; } = [];

    /// <summary>How long a held write waits when nobody releases it.</summary>
    public TimeSpan HoldFor { get; init; } = TimeSpan.FromSeconds(5);

    public StoreEntryKind[] Fail { get; init; } = [];

    public ConcurrentQueue<string> Log { get; } = new();

    public int Held => Volatile.Read(ref _held);

    public string BackendName => "recording";

    public void Event(string name) => Log.Enqueue(name);

    public void Release() => _release.TrySetResult();

    public StoreEntryKind[] FailReads { get; set; } = [];

    /// <summary>Who is reading, in the caller's async flow; its reads are logged in <see cref="ReadsBy"/> too.</summary>
    public AsyncLocal<string?> Reader { get; } = new();

    /// <summary>"{reader} read {kind}" for each read made while <see cref="Reader"/> was set.</summary>
    public ConcurrentQueue<string> ReadsBy { get; } = new();

    private readonly Dictionary<string, int> _begun = new(StringComparer.Ordinal);
    private readonly List<(string Call, int Count, TaskCompletionSource Begun)> _waiters = [];

    /// <summary>Completes when the next read of <paramref name="kind"/> (from any caller) begins.</summary>
    public Task NextRead(StoreEntryKind kind) => Next("read " + kind);

    /// <summary>Completes when the next lock request for <paramref name="kind"/> (from any caller) begins.</summary>
    public Task NextLock(StoreEntryKind kind) => Next("lock " + kind);

    /// <summary>Completes once <paramref name="count"/> reads of <paramref name="kind"/> have begun since the store was made.</summary>
    public Task ReadsBegun(StoreEntryKind kind, int count) => Begun("read " + kind, count);

    private Task Next(string call)
    {
        lock (_waiters)
        {
            return Begun(call, _begun.GetValueOrDefault(call) + 1);
        }
    }

    private Task Begun(string call, int count)
    {
        lock (_waiters)
        {
            if (_begun.GetValueOrDefault(call) >= count)
            {
                return Task.CompletedTask;
            }
            var begun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((call, count, begun));
            return begun.Task;
        }
    }

    private void Count(string call)
    {
        lock (_waiters)
        {
            var count = _begun[call] = _begun.GetValueOrDefault(call) + 1;
            foreach (var waiter in _waiters.Where(w => w.Call == call && w.Count <= count).ToList())
            {
                waiter.Begun.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken)
    {
        Log.Enqueue("read " + key.Kind);
        if (Reader.Value is { } reader)
        {
            ReadsBy.Enqueue(reader + " read " + key.Kind);
        }
        Count("read " + key.Kind);
        return FailReads.Contains(key.Kind)
            ? throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString())
            : _inner.ReadAsync(key, cancellationToken);
    }

    public async ValueTask WriteAsync(StoreKey key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        Log.Enqueue("start " + key.Kind);
        if (Fail.Contains(key.Kind))
        {
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, "failed in the test");
        }
        if (Hold.Contains(key.Kind))
        {
            Interlocked.Increment(ref _held);
            await Task.WhenAny(_release.Task, Task.Delay(HoldFor, CancellationToken.None));
            await _inner.WriteAsync(key, value, cancellationToken);
            Log.Enqueue("done " + key.Kind);
            Interlocked.Decrement(ref _held);
            return;
        }
        await _inner.WriteAsync(key, value, cancellationToken);
        Log.Enqueue("done " + key.Kind);
    }

    public ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken) => _inner.DeleteAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) => _inner.ListAsync(kind, cancellationToken);

    public ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Count("lock " + key.Kind);
        return _inner.LockAsync(key, timeout, cancellationToken);
    }

    public ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken)
    {
        Log.Enqueue("read " + key.Kind);
        Count("read " + key.Kind);
        return FailReads.Contains(key.Kind)
            ? throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString())
            : _inner.ReadVersionedAsync(key, cancellationToken);
    }

    public ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken) =>
        _inner.WriteIfVersionAsync(key, value, expectedVersion, lease, cancellationToken);

    /// <summary>A refresh lease is the credential's refresh lock: counted as one, so <c>NextLock</c> sees a waiter take it.</summary>
    public ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        Count("lock " + key.Kind);
        return _inner.TryAcquireLeaseAsync(key, holder, duration, cancellationToken);
    }

    public ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken) =>
        _inner.RenewLeaseAsync(lease, duration, cancellationToken);

    public ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken) => _inner.ReleaseLeaseAsync(lease, cancellationToken);
}
