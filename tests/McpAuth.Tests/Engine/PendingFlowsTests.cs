using McpAuth.Engine;
using McpAuth.Protocol;

namespace McpAuth.Tests.Orchestration;

public class PendingFlowsTests
{
    private static readonly DiscoveryResult Discovery = new(new Uri("https://mcp.example.com/mcp"), "https://mcp.example.com/mcp", null, null,
        AuthorizationServerMetadata.Fallback(new Uri("https://mcp.example.com/mcp")));

    private static PendingAuthorization Flow(string state, DateTimeOffset at) =>
        new(state, Pkce.Create(), Discovery, new ClientIdentity("https://mcp.example.com", "c", null, "none", "dcr"), null,
            new Uri("http://127.0.0.1:1/callback"), null, at);

    [Fact]
    public void A_flow_is_taken_once()
    {
        var time = new ManualTimeProvider();
        var flows = new PendingFlows(4, TimeSpan.FromMinutes(1), time);
        flows.Add(Flow("s", time.GetUtcNow()));
        Assert.Equal("s", flows.Take("s").State);
        Assert.Equal(McpAuthErrorCode.StateMismatch, Assert.Throws<McpAuthException>(() => flows.Take("s")).Code);
        Assert.Equal(McpAuthErrorCode.StateMismatch, Assert.Throws<McpAuthException>(() => flows.Take(null)).Code);
    }

    [Fact]
    public void Expired_flows_are_refused_and_make_room()
    {
        var time = new ManualTimeProvider();
        var flows = new PendingFlows(1, TimeSpan.FromMinutes(1), time);
        flows.Add(Flow("old", time.GetUtcNow()));
        Assert.Equal(McpAuthErrorCode.TooManyPendingFlows, Assert.Throws<McpAuthException>(() => flows.Add(Flow("x", time.GetUtcNow()))).Code);
        time.Advance(TimeSpan.FromMinutes(2));
        flows.Add(Flow("new", time.GetUtcNow()));
        Assert.Equal(1, flows.Count);
        Assert.Equal(McpAuthErrorCode.StateMismatch, Assert.Throws<McpAuthException>(() => flows.Take("old")).Code);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(McpAuthErrorCode.FlowExpired, Assert.Throws<McpAuthException>(() => flows.Take("new")).Code);
    }

    [Fact]
    public void The_verifier_never_shows_in_the_flow_text()
    {
        var flow = Flow("s", DateTimeOffset.UnixEpoch);
        Assert.DoesNotContain(flow.Pkce.Verifier, flow.ToString(), StringComparison.Ordinal);
    }
}
