using System.Collections.Concurrent;
using McpAuth.Engine;
using McpAuth.Storage;

namespace McpAuth.Tests.Orchestration;

/// <summary>
/// How a login writes the store: the discovery record, the registration and a first index entry are written while
/// the flow goes on (they overlap the browser and the token request), all of them are on disk before the credential
/// is saved, and a failed flow leaves no write running behind it.
/// </summary>
public class LoginWritesTests
{
    private static readonly Uri Server = new(OAuthWorld.Server);

    [Fact]
    public async Task The_token_request_is_sent_while_the_discovery_and_registration_writes_are_still_running()
    {
        var store = new RecordingStore { Hold = [StoreEntryKind.Discovery, StoreEntryKind.Registration] };
        var world = new OAuthWorld(store: store);
        world.Http.On("POST", "https://as.example.com/token", _ =>
        {
            store.Event("token request");
            store.Release();
            return FakeHttp.Json("""{"access_token":"at","token_type":"Bearer","expires_in":3600}""");
        });

        await world.Client().AuthorizeAsync(Server, world.Interaction, default);

        var log = store.Log.ToList();
        Assert.True(log.IndexOf("token request") < log.IndexOf("done Discovery"), string.Join(", ", log));
        Assert.True(log.IndexOf("token request") < log.IndexOf("done Registration"), string.Join(", ", log));
        Assert.True(log.IndexOf("done Discovery") < log.IndexOf("start Credential"), string.Join(", ", log));
        Assert.True(log.IndexOf("done Registration") < log.IndexOf("start Credential"), string.Join(", ", log));
        Assert.NotNull(await world.Vault.GetDiscoveryAsync(OAuthWorld.Server, default));
        Assert.Single(await world.Vault.ListRegistrationsAsync(default));
    }

    [Fact]
    public async Task The_early_writes_start_only_once_the_token_request_is_sent()
    {
        var store = new RecordingStore();
        var world = new OAuthWorld(store: store);
        world.Http.On("POST", "https://as.example.com/token", _ =>
        {
            // Writes started with the request would begin while it is being sent: give them the time to show.
            SpinWait.SpinUntil(() => store.Log.Contains("start Discovery"), TimeSpan.FromMilliseconds(300));
            store.Event("token request");
            return FakeHttp.Json("""{"access_token":"at","token_type":"Bearer","expires_in":3600}""");
        });

        await world.Client().AuthorizeAsync(Server, world.Interaction, default);

        var log = store.Log.ToList();
        Assert.True(log.IndexOf("token request") < log.IndexOf("start Discovery"), string.Join(", ", log));
        Assert.True(log.IndexOf("done Discovery") < log.IndexOf("start Credential"), string.Join(", ", log));
        Assert.NotNull(await world.Vault.GetDiscoveryAsync(OAuthWorld.Server, default));
    }

    [Fact]
    public async Task A_first_login_reads_the_index_once_with_its_early_writes_and_not_again_to_save_the_credential()
    {
        var store = new RecordingStore();
        var world = new OAuthWorld(store: store);

        await world.Client().AuthorizeAsync(Server, world.Interaction, default);

        var log = store.Log.ToList();
        Assert.Equal(1, log.Count(e => e == "read ActiveClient"));
        Assert.True(log.IndexOf("read ActiveClient") < log.IndexOf("start ActiveClient"), string.Join(", ", log));
        Assert.Equal("client-1-as.example.com", await world.Vault.GetActiveClientIdAsync("default", OAuthWorld.Server, OAuthWorld.Issuer, default));
    }

    [Fact]
    public async Task A_first_login_reads_the_credential_it_replaces_and_readies_its_folder_ahead_so_its_save_only_writes()
    {
        var store = new RecordingStore();
        var world = new OAuthWorld(store: store);

        await world.Client().AuthorizeAsync(Server, world.Interaction, default);

        var log = store.Log.ToList();
        var prepared = log.IndexOf("prepare Credential");
        Assert.True(prepared >= 0, string.Join(", ", log));
        Assert.Equal(1, log.Count(e => e == "read Credential"));
        Assert.True(log.IndexOf("read Credential") < prepared, string.Join(", ", log));
        Assert.DoesNotContain(log.Skip(prepared), e => e.StartsWith("read ", StringComparison.Ordinal));
        Assert.Equal(["start Credential", "done Credential"], log.Skip(prepared + 1));
    }

    [Fact]
    public async Task A_registration_write_that_fails_fails_the_login_with_the_store_error_and_saves_no_credential()
    {
        var store = new RecordingStore { Fail = [StoreEntryKind.Registration] };
        var world = new OAuthWorld(store: store);

        var e = await Assert.ThrowsAsync<McpAuthException>(() => world.Client().AuthorizeAsync(Server, world.Interaction, default));

        Assert.Equal(McpAuthErrorCode.StoreUnavailable, e.Code);
        Assert.Equal(1, world.TokensIssued); // the write failed while the token request ran
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
    public async Task A_first_login_points_the_index_with_its_early_writes_and_a_second_login_does_not_write_it_again()
    {
        var store = new RecordingStore();
        var world = new OAuthWorld(store: store);
        var client = world.Client();

        await client.AuthorizeAsync(Server, world.Interaction, default);
        var first = store.Log.ToList();
        // Written with the discovery record and the registration, so only the credential is written after the token response.
        Assert.True(first.IndexOf("done ActiveClient") < first.IndexOf("start Credential"), string.Join(", ", first));
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

    public ValueTask<byte[]?> ReadAsync(StoreKey key, CancellationToken cancellationToken)
    {
        Log.Enqueue("read " + key.Kind);
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

    public ValueTask PrepareWriteAsync(StoreKey key, CancellationToken cancellationToken)
    {
        Log.Enqueue("prepare " + key.Kind);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> DeleteAsync(StoreKey key, CancellationToken cancellationToken) => _inner.DeleteAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<StoreKey>> ListAsync(StoreEntryKind kind, CancellationToken cancellationToken) => _inner.ListAsync(kind, cancellationToken);

    public ValueTask<VersionedEntry?> ReadVersionedAsync(StoreKey key, CancellationToken cancellationToken)
    {
        Log.Enqueue("read " + key.Kind);
        return _inner.ReadVersionedAsync(key, cancellationToken);
    }

    public ValueTask<long?> WriteIfVersionAsync(StoreKey key, ReadOnlyMemory<byte> value, long expectedVersion, StoreLease? lease,
        CancellationToken cancellationToken) =>
        _inner.WriteIfVersionAsync(key, value, expectedVersion, lease, cancellationToken);

    public ValueTask<StoreLease?> TryAcquireLeaseAsync(StoreKey key, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        _inner.TryAcquireLeaseAsync(key, holder, duration, cancellationToken);

    public ValueTask<StoreLease?> RenewLeaseAsync(StoreLease lease, TimeSpan duration, CancellationToken cancellationToken) =>
        _inner.RenewLeaseAsync(lease, duration, cancellationToken);

    public ValueTask ReleaseLeaseAsync(StoreLease lease, CancellationToken cancellationToken) => _inner.ReleaseLeaseAsync(lease, cancellationToken);

    public ValueTask<IAsyncDisposable> LockAsync(StoreKey key, TimeSpan timeout, CancellationToken cancellationToken) =>
        _inner.LockAsync(key, timeout, cancellationToken);
}
