using McpAuth.Engine;
using McpAuth.Protocol;

namespace McpAuth.Tests.Orchestration;

/// <summary>
/// The one registry of pending flows: the engine's add and take (single use, bounds, lifetime), a host's routing by
/// state, and a surface's delivery to the interaction waiting for its flow (the CLI's listener and paste).
/// </summary>
public class PendingFlowRegistryTests
{
    private static readonly DiscoveryResult Discovery = new(new Uri("https://mcp.example.com/mcp"), "https://mcp.example.com/mcp", null, null,
        AuthorizationServerMetadata.Fallback(new Uri("https://mcp.example.com/mcp")));

    private readonly ManualTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    private PendingAuthorization Flow(string state, string profile = "default") =>
        new(state, profile, Pkce.Create(), Discovery, new ClientIdentity("https://mcp.example.com", "c", null, "none", "dcr"), null,
            new Uri("http://127.0.0.1:1/callback"), null, _time.GetUtcNow());

    private static Uri Callback(string state) => new($"http://127.0.0.1:1/callback?code=c&state={state}");

    private PendingFlowRegistry Registry(TimeSpan? lifetime = null, int maxTotal = 1024, int maxPerTenant = 64) =>
        new(_time, lifetime ?? TimeSpan.FromMinutes(1), maxTotal, maxPerTenant);

    [Fact]
    public void A_flow_is_taken_once()
    {
        var flows = Registry();
        flows.Add(Flow("s"), 4);
        Assert.Equal("s", flows.Take("s", "default").State);
        Assert.Equal(McpAuthErrorCode.StateMismatch, Assert.Throws<McpAuthException>(() => flows.Take("s", "default")).Code);
        Assert.Equal(McpAuthErrorCode.StateMismatch, Assert.Throws<McpAuthException>(() => flows.Take(null, "default")).Code);
    }

    [Fact]
    public void Another_profiles_flow_is_not_taken()
    {
        var flows = Registry();
        flows.Add(Flow("s", "acme/alice"), 4);
        Assert.Equal(McpAuthErrorCode.StateMismatch, Assert.Throws<McpAuthException>(() => flows.Take("s", "acme/bob")).Code);
        Assert.True(flows.TryGetProfile("s", out var profile));
        Assert.Equal("acme/alice", profile);
        Assert.Equal("s", flows.Take("s", "acme/alice").State);
        Assert.False(flows.TryGetProfile("s", out _));
    }

    [Fact]
    public void Expired_flows_are_refused_and_make_room()
    {
        var flows = Registry();
        flows.Add(Flow("old"), 1);
        Assert.Equal(McpAuthErrorCode.TooManyPendingFlows, Assert.Throws<McpAuthException>(() => flows.Add(Flow("x"), 1)).Code);
        _time.Advance(TimeSpan.FromMinutes(2));
        flows.Add(Flow("new"), 1);
        Assert.Equal(1, flows.Count);
        Assert.Equal(McpAuthErrorCode.StateMismatch, Assert.Throws<McpAuthException>(() => flows.Take("old", "default")).Code);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(McpAuthErrorCode.FlowExpired, Assert.Throws<McpAuthException>(() => flows.Take("new", "default")).Code);
    }

    [Fact]
    public void Flows_are_bounded_per_profile_per_tenant_and_in_total()
    {
        var flows = Registry(maxTotal: 3, maxPerTenant: 2);
        flows.Add(Flow("a1", "acme/alice"), 1);
        Assert.Equal("profile", Assert.Throws<McpAuthException>(() => flows.Add(Flow("a2", "acme/alice"), 1)).Detail);
        flows.Add(Flow("b1", "acme/bob"), 1);
        Assert.Equal("tenant", Assert.Throws<McpAuthException>(() => flows.Add(Flow("c1", "acme/carol"), 1)).Detail);
        flows.Add(Flow("d1", "globex/dave"), 1);
        Assert.Equal("total", Assert.Throws<McpAuthException>(() => flows.Add(Flow("e1", "initech/erin"), 1)).Detail);

        flows.Take("a1", "acme/alice"); // a completed flow frees its slots
        flows.Add(Flow("c1", "acme/carol"), 1);
        Assert.Equal(3, flows.Count);
    }

    [Fact]
    public void A_state_cannot_be_added_twice()
    {
        var flows = Registry();
        flows.Add(Flow("dup"), 4);
        Assert.Throws<ArgumentException>(() => flows.Add(Flow("dup"), 4));
    }

    [Fact]
    public async Task A_delivered_callback_reaches_the_waiter_of_its_state_only()
    {
        var flows = Registry();
        flows.Add(Flow("one"), 4);
        flows.Add(Flow("two"), 4);
        var first = flows.WaitForCallbackAsync("one", default);
        var second = flows.WaitForCallbackAsync("two", default);

        var delivery = flows.Deliver(Callback("two"));

        Assert.Equal(CallbackDeliveryStatus.Delivered, delivery.Status);
        Assert.Equal(Callback("two"), await second.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(first.IsCompleted);
    }

    [Fact]
    public void A_state_is_delivered_once_then_replayed_and_unknown_states_are_refused()
    {
        var flows = Registry();
        flows.Add(Flow("s1"), 4);

        Assert.Equal(CallbackDeliveryStatus.UnknownState, flows.Deliver(Callback("other")).Status);
        Assert.Equal(CallbackDeliveryStatus.Delivered, flows.Deliver(Callback("s1")).Status);
        Assert.Equal(CallbackDeliveryStatus.Replayed, flows.Deliver(Callback("s1")).Status);
        flows.Take("s1", "default");
        Assert.Equal(CallbackDeliveryStatus.Replayed, flows.Deliver(Callback("s1")).Status);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/callback?state=s1")]
    [InlineData("http://127.0.0.1:1/callback?code=c")]
    [InlineData("http://127.0.0.1:1/callback?code=a&code=b&state=s1")]
    [InlineData("http://127.0.0.1:1/callback?code=c&state=s1&state=s1")]
    public void What_is_not_an_authorization_response_is_refused_and_leaves_the_flow_waiting(string url)
    {
        var flows = Registry();
        flows.Add(Flow("s1"), 4);

        Assert.Equal(CallbackDeliveryStatus.NotAnAuthorizationResponse, flows.Deliver(new Uri(url)).Status);
        Assert.Equal(CallbackDeliveryStatus.Delivered, flows.Deliver(Callback("s1")).Status);
    }

    [Fact]
    public async Task A_late_callback_for_an_aged_flow_is_expired_and_fails_its_waiter()
    {
        var flows = Registry(TimeSpan.FromMinutes(5));
        flows.Add(Flow("late"), 4);
        var waiting = flows.WaitForCallbackAsync("late", default);
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        Assert.Equal(CallbackDeliveryStatus.Expired, flows.Deliver(Callback("late")).Status);
        Assert.Equal(McpAuthErrorCode.FlowExpired, (await Assert.ThrowsAsync<McpAuthException>(() => waiting)).Code);
        Assert.Equal(CallbackDeliveryStatus.Replayed, flows.Deliver(Callback("late")).Status);
    }

    [Fact]
    public async Task A_swept_flow_is_refused_as_used()
    {
        var flows = Registry(TimeSpan.FromMinutes(5));
        flows.Add(Flow("old"), 1);
        _time.Advance(TimeSpan.FromMinutes(6));
        flows.Add(Flow("fresh"), 1);

        Assert.Equal(CallbackDeliveryStatus.Replayed, flows.Deliver(Callback("old")).Status);
        Assert.Equal(McpAuthErrorCode.StateMismatch, (await Assert.ThrowsAsync<McpAuthException>(() => flows.WaitForCallbackAsync("old", default))).Code);
    }

    [Fact]
    public async Task Cancelling_the_wait_withdraws_the_flow()
    {
        var flows = Registry();
        flows.Add(Flow("gone"), 4);
        using var cancel = new CancellationTokenSource();
        var waiting = flows.WaitForCallbackAsync("gone", cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(CallbackDeliveryStatus.Replayed, flows.Deliver(Callback("gone")).Status);
        Assert.Equal(McpAuthErrorCode.StateMismatch, Assert.Throws<McpAuthException>(() => flows.Take("gone", "default")).Code);
    }

    [Fact]
    public async Task Delivery_reports_how_the_engine_finished_the_flow()
    {
        var flows = Registry();
        var ok = Flow("ok");
        var denied = Flow("denied");
        flows.Add(ok, 4);
        flows.Add(denied, 4);

        var okDelivery = flows.Deliver(Callback("ok"));
        var deniedDelivery = flows.Deliver(Callback("denied"));
        Assert.False(okDelivery.Finished!.IsCompleted);
        await ok.FinishWithAsync(Task.FromResult(1));
        denied.Fail(new McpAuthException(McpAuthErrorCode.AuthorizationDenied));

        Assert.Null(await okDelivery.Finished);
        Assert.Equal(McpAuthErrorCode.AuthorizationDenied, Assert.IsType<McpAuthException>(await deniedDelivery.Finished!).Code);
        Assert.Null(flows.Deliver(Callback("nobody")).Finished);
    }

    [Theory]
    [InlineData("acme/alice", "acme")]
    [InlineData("acme/team/alice", "acme")]
    [InlineData("default", "default")]
    public void The_tenant_is_the_profile_before_its_first_slash(string profile, string tenant) =>
        Assert.Equal(tenant, PendingFlowRegistry.TenantOf(profile));

    [Fact]
    public void The_verifier_never_shows_in_the_flow_text()
    {
        var flow = Flow("s");
        Assert.DoesNotContain(flow.Pkce.Verifier, flow.ToString(), StringComparison.Ordinal);
    }
}
