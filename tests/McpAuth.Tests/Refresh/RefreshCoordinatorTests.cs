using McpAuth.Engine.Events;
using McpAuth.Engine.Refresh;
using McpAuth.Storage;

namespace McpAuth.Tests.Refresh;

public sealed class RefreshCoordinatorTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly RefreshFixture _f = new();

    private static CountingRefresh Answer(Func<int, StoredCredential, Task<TokenSet>> answer) => new(answer);

    [Fact]
    public async Task A_credential_outside_the_skew_is_used_without_refreshing()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.FromSeconds(61)));
        var refresh = Answer((_, _) => throw new InvalidOperationException("must not refresh"));
        var credential = await _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        Assert.Equal("at-1", credential.Tokens.AccessToken);
        Assert.True(_f.Coordinator.TryGetCachedAccessToken(RefreshFixture.Binding, out var cached));
        Assert.Equal("at-1", cached);
        Assert.Equal(0, refresh.Calls);
    }

    [Fact]
    public async Task A_credential_inside_the_skew_is_refreshed_once_and_then_served_from_the_cache()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.FromSeconds(61)));
        var refresh = Answer((call, _) => Task.FromResult(_f.Tokens("at-" + (call + 1), "rt-" + (call + 1))));
        Assert.Equal("at-1", (await _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None)).Tokens.AccessToken);

        _f.Time.Advance(TimeSpan.FromSeconds(2)); // 59 s left: inside the 60 s skew
        Assert.False(_f.Coordinator.TryGetCachedAccessToken(RefreshFixture.Binding, out _));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("at-2", (await _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None)).Tokens.AccessToken);
        }
        Assert.Equal(1, refresh.Calls);
        Assert.True(_f.Coordinator.TryGetCachedAccessToken(RefreshFixture.Binding, out var cached));
        Assert.Equal("at-2", cached);
    }

    [Fact]
    public async Task Sixty_four_concurrent_callers_cause_exactly_one_refresh()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.FromSeconds(-5)));
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refresh = Answer(async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return _f.Tokens("at-new", "rt-new");
        });
        var callers = Enumerable.Range(0, 64)
            .Select(_ => Task.Run(() => _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask()))
            .ToArray();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(15)); // one refresh is under way while the callers pile up
        release.SetResult();
        var results = await Task.WhenAll(callers);
        Assert.Equal(1, refresh.Calls);
        Assert.All(results, r => Assert.Equal("at-new", r.Tokens.AccessToken));
        Assert.Equal("rt-new", (await _f.StoredAsync())!.Tokens.RefreshToken);
    }

    [Fact]
    public async Task A_response_without_a_refresh_token_keeps_the_old_one_and_the_scope()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.Zero, refreshToken: "rt-keep"));
        var refresh = Answer((_, _) => Task.FromResult(_f.Tokens("at-2", refreshToken: null)));
        var credential = await _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        var stored = (await _f.StoredAsync())!;
        Assert.Equal("rt-keep", credential.Tokens.RefreshToken);
        Assert.Equal("rt-keep", stored.Tokens.RefreshToken);
        Assert.Equal("mcp:read", stored.Tokens.Scope);
        Assert.Equal("at-2", stored.Tokens.AccessToken);
        Assert.Equal(2, stored.Generation);
    }

    [Fact]
    public async Task No_refresh_starts_while_the_store_cannot_be_written_and_an_expired_token_asks_to_try_again()
    {
        // Taking the refresh lease is a write: a read-only store starts no refresh (a rotated token could not be saved).
        var store = new FailingStore(new InMemoryTokenStore());
        var f = new RefreshFixture(store);
        await f.SaveAsync(f.Credential(TimeSpan.Zero));
        store.FailWrites = true;
        var refresh = Answer((_, _) => Task.FromResult(f.Tokens("at-2", "rt-2")));
        var error = await Assert.ThrowsAsync<McpAuthException>(() => f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());
        Assert.Equal(McpAuthErrorCode.StoreUnavailable, error.Code);
        Assert.Equal(0, refresh.Calls);
        Assert.False(f.Coordinator.TryGetCachedAccessToken(RefreshFixture.Binding, out _));
    }

    [Fact]
    public async Task A_token_due_for_refresh_but_unexpired_is_served_while_the_store_cannot_be_written()
    {
        var store = new FailingStore(new InMemoryTokenStore());
        var f = new RefreshFixture(store);
        await f.SaveAsync(f.Credential(TimeSpan.FromSeconds(30))); // inside the 60 s skew
        store.FailWrites = true;
        var refresh = Answer((_, _) => Task.FromResult(f.Tokens("at-2", "rt-2")));
        var credential = await f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        Assert.Equal("at-1", credential.Tokens.AccessToken);
        Assert.Equal(0, refresh.Calls);
    }

    [Fact]
    public async Task Invalid_grant_after_another_process_rotated_uses_the_rotated_credential()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.Zero, refreshToken: "rt-old"));
        var refresh = Answer(async (_, current) =>
        {
            // Another process (that did not take our lock) refreshed meanwhile and saved its rotation.
            await _f.SaveAsync(current with { Tokens = _f.Tokens("at-theirs", "rt-theirs"), Generation = current.Generation + 1 });
            throw new McpAuthException(McpAuthErrorCode.InvalidGrant) { OAuthError = "invalid_grant", StatusCode = 400 };
        });
        var credential = await _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        Assert.Equal("at-theirs", credential.Tokens.AccessToken);
        Assert.Equal(CredentialState.Valid, (await _f.StoredAsync())!.State);
        Assert.Equal(1, refresh.Calls);
    }

    [Fact]
    public async Task Invalid_grant_after_a_rotation_to_an_expired_token_refreshes_once_more_with_the_rotated_token()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.Zero, refreshToken: "rt-old"));
        var refresh = Answer(async (call, current) =>
        {
            if (call == 1)
            {
                await _f.SaveAsync(current with { Tokens = _f.Tokens("at-theirs", "rt-theirs", TimeSpan.Zero) });
                throw new McpAuthException(McpAuthErrorCode.InvalidGrant);
            }
            return _f.Tokens("at-mine", "rt-mine");
        });
        var credential = await _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None);
        Assert.Equal("at-mine", credential.Tokens.AccessToken);
        Assert.Equal(["rt-old", "rt-theirs"], refresh.RefreshTokensSeen);
    }

    [Fact]
    public async Task Invalid_grant_marks_the_credential_and_throws_LoginRequired()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.Zero));
        using var events = _f.Lifecycle.Events.Subscribe();
        var refresh = Answer((_, _) => throw new McpAuthException(McpAuthErrorCode.InvalidGrant) { OAuthError = "invalid_refresh_token" });

        var error = await Assert.ThrowsAsync<McpAuthException>(() => _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());
        Assert.Equal(McpAuthErrorCode.LoginRequired, error.Code);
        Assert.Equal("invalid_refresh_token", error.OAuthError);
        var stored = (await _f.StoredAsync())!;
        Assert.Equal(CredentialState.NeedsReauthorization, stored.State);
        Assert.Equal(2, stored.Generation);
        Assert.Equal(CredentialState.NeedsReauthorization, (await _f.Lifecycle.GetStatusAsync(RefreshFixture.Binding, None))!.State);

        var again = await Assert.ThrowsAsync<McpAuthException>(() => _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());
        Assert.Equal(McpAuthErrorCode.LoginRequired, again.Code);
        Assert.Equal(1, refresh.Calls);
        var kinds = new List<Engine.Events.CredentialEventKind>();
        while (events.Reader.TryRead(out var e))
        {
            kinds.Add(e.Kind);
        }
        Assert.Equal([Engine.Events.CredentialEventKind.Refreshing, Engine.Events.CredentialEventKind.NeedsReauthorization], kinds);
    }

    [Theory]
    [InlineData(McpAuthErrorCode.Timeout)]
    [InlineData(McpAuthErrorCode.TransportFailure)]
    [InlineData(McpAuthErrorCode.TemporarilyUnavailable)]
    public async Task Transient_failures_are_retried_then_give_TemporarilyUnavailable_with_the_store_untouched(McpAuthErrorCode code)
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.FromSeconds(-1)));
        var before = await _f.Store.ReadAsync(StoreKeys.Credential(RefreshFixture.Binding), None);
        var refresh = Answer((_, _) => throw new McpAuthException(code) { StatusCode = code == McpAuthErrorCode.TemporarilyUnavailable ? 503 : null });

        var error = await Assert.ThrowsAsync<McpAuthException>(() => _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());
        Assert.Equal(McpAuthErrorCode.TemporarilyUnavailable, error.Code);
        Assert.True(error.IsTransient);
        Assert.Equal(RefreshFixture.FastOptions.MaxTransientRetries + 1, refresh.Calls);
        Assert.Equal(before, await _f.Store.ReadAsync(StoreKeys.Credential(RefreshFixture.Binding), None));
    }

    [Fact]
    public async Task A_transient_failure_then_success_returns_the_new_credential()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.Zero));
        var refresh = Answer((call, _) => call < 3
            ? throw new McpAuthException(McpAuthErrorCode.TemporarilyUnavailable) { StatusCode = 429, RetryAfter = TimeSpan.FromMilliseconds(5) }
            : Task.FromResult(_f.Tokens("at-2", "rt-2")));
        Assert.Equal("at-2", (await _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None)).Tokens.AccessToken);
        Assert.Equal(3, refresh.Calls);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_maximum_backoff_gives_up_at_once()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.Zero));
        var refresh = Answer((_, _) => throw new McpAuthException(McpAuthErrorCode.TemporarilyUnavailable) { StatusCode = 429, RetryAfter = TimeSpan.FromMinutes(5) });
        var error = await Assert.ThrowsAsync<McpAuthException>(() => _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());
        Assert.Equal(McpAuthErrorCode.TemporarilyUnavailable, error.Code);
        Assert.Equal(TimeSpan.FromMinutes(5), error.RetryAfter);
        Assert.Equal(1, refresh.Calls);
    }

    [Fact]
    public async Task During_an_outage_a_token_inside_the_skew_but_not_expired_is_still_served()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.FromSeconds(30)));
        var refresh = Answer((_, _) => throw new McpAuthException(McpAuthErrorCode.TransportFailure));
        Assert.Equal("at-1", (await _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None)).Tokens.AccessToken);
    }

    [Fact]
    public async Task No_credential_or_no_refresh_token_means_LoginRequired()
    {
        var refresh = Answer((_, _) => throw new InvalidOperationException("must not refresh"));
        var missing = await Assert.ThrowsAsync<McpAuthException>(() => _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());
        Assert.Equal(McpAuthErrorCode.LoginRequired, missing.Code);

        await _f.SaveAsync(_f.Credential(TimeSpan.Zero, refreshToken: null));
        var noRefreshToken = await Assert.ThrowsAsync<McpAuthException>(() => _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());
        Assert.Equal(McpAuthErrorCode.LoginRequired, noRefreshToken.Code);
        Assert.Equal(CredentialState.NeedsReauthorization, (await _f.StoredAsync())!.State);
        Assert.Equal(0, refresh.Calls);
    }

    [Fact]
    public async Task A_cancelled_caller_stops_waiting_but_the_refresh_completes_and_is_saved()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.Zero));
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refresh = Answer(async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return _f.Tokens("at-2", "rt-2");
        });
        using var cancel = new CancellationTokenSource();
        var caller = _f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, cancel.Token).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => caller);
        release.SetResult();
        // The refresh goes on in the background with nothing to await from here: poll the store.
        await Eventually.UntilAsync(async () => (await _f.StoredAsync())!.Tokens.RefreshToken == "rt-2", "the refresh to be saved");
    }

    [Fact]
    public async Task After_a_401_the_rejected_token_is_refreshed_once_even_before_expiry()
    {
        await _f.SaveAsync(_f.Credential(TimeSpan.FromHours(1)));
        var refresh = Answer((call, _) => Task.FromResult(_f.Tokens("at-" + (call + 1), "rt-" + (call + 1))));
        var first = await _f.Coordinator.RefreshAfterRejectionAsync(RefreshFixture.Binding, "at-1", refresh.Callback, None);
        var second = await _f.Coordinator.RefreshAfterRejectionAsync(RefreshFixture.Binding, "at-1", refresh.Callback, None);
        Assert.Equal("at-2", first.Tokens.AccessToken);
        Assert.Equal("at-2", second.Tokens.AccessToken); // someone already replaced the rejected token
        Assert.Equal(1, refresh.Calls);
    }

    [Fact]
    public async Task A_lease_timeout_uses_what_the_slow_holder_saved_or_else_reports_the_timeout()
    {
        // The refresh waits on the credential's refresh lease (held here by another process's holder id), no longer on
        // the store lock; the recording store counts a lease attempt as the lock.
        var store = new McpAuth.Tests.Orchestration.RecordingStore();
        var f = new RefreshFixture(store, RefreshFixture.FastOptions with { LockTimeout = TimeSpan.FromMilliseconds(150) });
        await f.SaveAsync(f.Credential(TimeSpan.Zero));
        var refresh = Answer((_, _) => throw new InvalidOperationException("must not refresh"));
        var held = await f.Store.TryAcquireLeaseAsync(StoreKeys.Credential(RefreshFixture.Binding), "another-process",
            TimeSpan.FromSeconds(30), None);
        Assert.NotNull(held);
        {
            var timeout = await Assert.ThrowsAsync<McpAuthException>(() => f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask());
            Assert.Equal(McpAuthErrorCode.StoreLockTimeout, timeout.Code);

            var locking = store.NextLock(StoreEntryKind.Credential);
            var waiting = f.Coordinator.GetValidAsync(RefreshFixture.Binding, refresh.Callback, None).AsTask();
            await locking.WaitAsync(TimeSpan.FromSeconds(15)); // it waits for the holder's lease now
            await f.SaveAsync(f.Credential(TimeSpan.FromHours(1), "at-holder", "rt-holder")); // the holder's refresh
            Assert.Equal("at-holder", (await waiting).Tokens.AccessToken);
        }
        Assert.Equal(0, refresh.Calls);
    }

    [Fact]
    public void Bindings_compare_by_value_and_with_copies_rehash()
    {
        var a = new CredentialBinding("p", "r", "i", "c");
        var b = new CredentialBinding("p", "r", "i", "c");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        var changed = a with { ClientId = "other" };
        Assert.NotEqual(a, changed);
        Assert.Equal(new CredentialBinding("p", "r", "i", "other").GetHashCode(), changed.GetHashCode());
        Assert.NotEqual(new CredentialBinding("p2", "r", "i", "c"), a);
    }
}
