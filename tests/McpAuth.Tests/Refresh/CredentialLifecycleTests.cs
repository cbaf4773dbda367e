using McpAuth.Engine.Events;
using McpAuth.Engine.Lifecycle;
using McpAuth.Storage;

namespace McpAuth.Tests.Refresh;

public sealed class CredentialLifecycleTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly RefreshFixture _f = new();

    [Fact]
    public async Task Saving_an_authorization_announces_it_sets_the_active_client_and_caches_the_token()
    {
        using var events = _f.Lifecycle.Events.Subscribe();
        var saved = await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.FromHours(1)) with { Generation = 40 }, None);
        var again = await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.FromHours(1), "at-2"), None);

        Assert.Equal(1, saved.Generation);
        Assert.Equal(2, again.Generation);
        Assert.Equal("client-1", await _f.Vault.GetActiveClientIdAsync("default", "https://mcp.example/", "https://as.example", None));
        Assert.True(_f.Lifecycle.Refresh.TryGetCachedAccessToken(RefreshFixture.Binding, out var token));
        Assert.Equal("at-2", token);
        Assert.True(events.Reader.TryRead(out var first));
        Assert.Equal((CredentialEventKind.Authorized, CredentialState.Valid, 1L), (first.Kind, first.State, first.Generation));
    }

    [Fact]
    public async Task Waiting_for_an_authorization_returns_it_or_null_after_the_timeout()
    {
        var other = RefreshFixture.Binding with { Profile = "work" };
        var waiting = _f.Lifecycle.Events.WaitForAuthorizationAsync(RefreshFixture.Binding, TimeSpan.FromSeconds(10), None);
        await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.FromHours(1)) with { Binding = other }, None);
        await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.FromHours(1)), None);
        var e = await waiting;
        Assert.NotNull(e);
        Assert.Equal(RefreshFixture.Binding, e.Binding);

        Assert.Null(await _f.Lifecycle.Events.WaitForAuthorizationAsync(other, TimeSpan.FromMilliseconds(50), None));
    }

    [Fact]
    public async Task Waiting_for_a_login_sees_one_saved_by_another_process_and_times_out_otherwise()
    {
        var f = new RefreshFixture();
        var waiting = f.Lifecycle.WaitForAuthorizationAsync(RefreshFixture.Binding, TimeSpan.FromSeconds(10), None);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        // Another process's lifecycle over the same store completes the login.
        var otherProcess = new CredentialLifecycle(f.Vault, f.Time);
        await otherProcess.SaveAuthorizationAsync(f.Credential(TimeSpan.FromHours(1), "at-other"), None);
        Assert.Equal("at-other", (await waiting)!.Tokens.AccessToken);

        Assert.Null(await f.Lifecycle.WaitForAuthorizationAsync(RefreshFixture.Binding, TimeSpan.FromMilliseconds(100), None));
    }

    [Fact]
    public async Task Waiting_for_a_login_in_this_process_wakes_at_once()
    {
        _f.Lifecycle.StorePollInterval = TimeSpan.FromMinutes(5); // only the event can wake it in time
        var waiting = _f.Lifecycle.WaitForAuthorizationAsync(RefreshFixture.Binding, TimeSpan.FromMinutes(1), None);
        await Task.Delay(50);
        await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.FromHours(1)), None);
        Assert.NotNull(await waiting.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Status_follows_the_lifecycle()
    {
        Assert.Null(await _f.Lifecycle.GetStatusAsync(RefreshFixture.Binding, None));
        await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.FromSeconds(90)), None);
        Assert.Equal(CredentialState.Valid, (await _f.Lifecycle.GetStatusAsync(RefreshFixture.Binding, None))!.State);
        _f.Time.Advance(TimeSpan.FromSeconds(45));
        var expiring = (await _f.Lifecycle.GetStatusAsync(RefreshFixture.Binding, None))!;
        Assert.Equal(CredentialState.Expiring, expiring.State);
        Assert.True(expiring.HasRefreshToken);

        var release = new TaskCompletionSource();
        var refresh = new CountingRefresh(async (_, _) =>
        {
            await release.Task;
            return _f.Tokens("at-2", null);
        });
        var refreshing = _f.Lifecycle.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask();
        await Task.Delay(50);
        Assert.Equal(CredentialState.Refreshing, (await _f.Lifecycle.GetStatusAsync(RefreshFixture.Binding, None))!.State);
        release.SetResult();
        await refreshing;
        var valid = (await _f.Lifecycle.GetStatusAsync(RefreshFixture.Binding, None))!;
        Assert.Equal((CredentialState.Valid, 2L), (valid.State, valid.Generation));

        Assert.True(await _f.Lifecycle.MarkNeedsReauthorizationAsync(RefreshFixture.Binding, None));
        Assert.Equal(CredentialState.NeedsReauthorization, (await _f.Lifecycle.GetStatusAsync(RefreshFixture.Binding, None))!.State);
        Assert.False(_f.Lifecycle.Refresh.TryGetCachedAccessToken(RefreshFixture.Binding, out _));

        Assert.True(await _f.Lifecycle.ReleaseAsync(RefreshFixture.Binding, None));
        var released = (await _f.Lifecycle.GetStatusAsync(RefreshFixture.Binding, None))!;
        Assert.Equal((CredentialState.Released, 4L), (released.State, released.Generation));
    }

    [Fact]
    public async Task Listing_statuses_reports_every_account_and_names_unreadable_entries()
    {
        await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.FromHours(1)), None);
        var work = RefreshFixture.Binding with { Profile = "work" };
        await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.FromSeconds(10)) with { Binding = work }, None);
        var broken = RefreshFixture.Binding with { Profile = "broken" };
        await _f.Store.WriteAsync(StoreKeys.Credential(broken), "{"u8.ToArray(), None);

        var (statuses, unreadable) = await _f.Lifecycle.ListStatusesAsync(None);
        Assert.Equal([("default", CredentialState.Valid), ("work", CredentialState.Expiring)],
            statuses.Select(s => (s.Binding.Profile, s.State)).OrderBy(p => p.Profile));
        Assert.Equal([StoreKeys.Credential(broken)], unreadable);
    }

    [Fact]
    public async Task Release_clears_the_credential_and_the_active_client_and_announces_it()
    {
        await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.FromHours(1)), None);
        using var events = _f.Lifecycle.Events.Subscribe();
        Assert.True(await _f.Lifecycle.ReleaseAsync(RefreshFixture.Binding, None));
        Assert.Null(await _f.StoredAsync());
        Assert.Null(await _f.Vault.GetActiveClientIdAsync("default", "https://mcp.example/", "https://as.example", None));
        Assert.False(_f.Lifecycle.Refresh.TryGetCachedAccessToken(RefreshFixture.Binding, out _));
        Assert.True(events.Reader.TryRead(out var e));
        Assert.Equal(CredentialEventKind.Released, e.Kind);
        var refresh = new CountingRefresh((_, _) => throw new InvalidOperationException());
        var error = await Assert.ThrowsAsync<McpAuthException>(() => _f.Lifecycle.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());
        Assert.Equal(McpAuthErrorCode.LoginRequired, error.Code);
    }

    [Fact]
    public async Task A_release_that_cannot_delete_changes_nothing_and_announces_nothing()
    {
        var store = new FailingStore(new InMemoryTokenStore());
        var f = new RefreshFixture(store);
        await f.Lifecycle.SaveAuthorizationAsync(f.Credential(TimeSpan.FromHours(1)), None);
        using var events = f.Lifecycle.Events.Subscribe();
        store.FailWrites = true;
        var error = await Assert.ThrowsAsync<McpAuthException>(() => f.Lifecycle.ReleaseAsync(RefreshFixture.Binding, None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreUnavailable, error.Code);
        Assert.False(events.Reader.TryRead(out _));
        Assert.NotNull(await f.StoredAsync());
        Assert.Equal(CredentialState.Valid, (await f.Lifecycle.GetStatusAsync(RefreshFixture.Binding, None))!.State);
        Assert.True(f.Lifecycle.Refresh.TryGetCachedAccessToken(RefreshFixture.Binding, out _));
    }

    [Fact]
    public async Task Subscribers_see_refreshes_in_order_and_a_disposed_subscription_ends()
    {
        await _f.Lifecycle.SaveAuthorizationAsync(_f.Credential(TimeSpan.Zero), None);
        var subscription = _f.Lifecycle.Events.Subscribe();
        var refresh = new CountingRefresh((_, _) => Task.FromResult(_f.Tokens("at-2", "rt-2")));
        await _f.Lifecycle.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        subscription.Dispose();
        var seen = new List<CredentialEvent>();
        await foreach (var e in subscription.ReadAllAsync(None))
        {
            seen.Add(e);
        }
        Assert.Equal([CredentialEventKind.Refreshing, CredentialEventKind.Refreshed], seen.Select(e => e.Kind));
        Assert.Equal(2, seen[1].Generation);
    }
}
