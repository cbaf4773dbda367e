using McpAuth.Cli.Callback;

namespace McpAuth.Cli.Tests.Callback;

public sealed class PendingFlowRegistryTests
{
    private static readonly Uri Redirect = new("http://127.0.0.1:1/callback");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));

    private static AuthorizationCallback Callback(string state) => new(state, "code", null, null, null, Redirect);

    [Fact]
    public void Delivers_once_then_reports_a_replay()
    {
        var registry = new PendingFlowRegistry(_time);
        using var flow = registry.Register("s1");

        var (first, routed) = registry.Deliver(Callback("s1"));
        var (second, _) = registry.Deliver(Callback("s1"));

        Assert.Equal(DeliveryStatus.Delivered, first);
        Assert.Same(flow, routed);
        Assert.Equal(DeliveryStatus.Replayed, second);
        Assert.Equal(0, registry.Count);
    }

    [Fact]
    public void Unknown_state_is_not_delivered()
    {
        var registry = new PendingFlowRegistry(_time);
        using var flow = registry.Register("s1");

        Assert.Equal(DeliveryStatus.UnknownState, registry.Deliver(Callback("other")).Status);
        Assert.False(flow.Received.IsCompleted);
    }

    [Fact]
    public void Bounded_in_count()
    {
        var registry = new PendingFlowRegistry(_time, maxPending: 2);
        using var a = registry.Register("a");
        using var b = registry.Register("b");

        var error = Assert.Throws<McpAuthException>(() => registry.Register("c"));

        Assert.Equal(McpAuthErrorCode.TooManyPendingFlows, error.Code);
    }

    [Fact]
    public async Task Bounded_in_age_expired_flows_fail_and_free_their_slot()
    {
        var registry = new PendingFlowRegistry(_time, maxPending: 1, maxAge: TimeSpan.FromMinutes(5));
        var old = registry.Register("old");
        _time.Advance(TimeSpan.FromMinutes(6));

        using var fresh = registry.Register("fresh");

        var error = await Assert.ThrowsAsync<McpAuthException>(() => old.Received);
        Assert.Equal(McpAuthErrorCode.FlowExpired, error.Code);
        Assert.Equal(DeliveryStatus.Replayed, registry.Deliver(Callback("old")).Status);
    }

    [Fact]
    public async Task A_late_redirect_for_an_aged_flow_is_expired()
    {
        var registry = new PendingFlowRegistry(_time, maxAge: TimeSpan.FromMinutes(5));
        var flow = registry.Register("late");
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        Assert.Equal(DeliveryStatus.Expired, registry.Deliver(Callback("late")).Status);
        await Assert.ThrowsAsync<McpAuthException>(() => flow.Received);
    }

    [Fact]
    public async Task A_withdrawn_flow_refuses_its_state_and_cancels_its_waiter()
    {
        var registry = new PendingFlowRegistry(_time);
        var flow = registry.Register("gone");

        flow.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flow.Received);
        Assert.NotEqual(DeliveryStatus.Delivered, registry.Deliver(Callback("gone")).Status);
    }

    [Fact]
    public void A_state_cannot_be_registered_twice()
    {
        var registry = new PendingFlowRegistry(_time);
        using var flow = registry.Register("dup");

        Assert.Throws<ArgumentException>(() => registry.Register("dup"));
    }
}
