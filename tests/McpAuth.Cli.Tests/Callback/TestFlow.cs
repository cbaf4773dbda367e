using McpAuth.Engine;
using McpAuth.Protocol;

namespace McpAuth.Cli.Tests.Callback;

/// <summary>
/// A flow recorded in the engine's <see cref="PendingFlowRegistry"/> as <see cref="McpAuthClient"/> records it, with an
/// interaction waiting for its callback: for tests of the surfaces that deliver to it (listener, paste). Disposing it
/// withdraws the flow, like an interaction that gave up.
/// </summary>
internal sealed class TestFlow : IDisposable
{
    private readonly PendingAuthorization _flow;
    private readonly CancellationTokenSource _withdraw = new();

    private TestFlow(PendingFlowRegistry registry, string state)
    {
        _flow = Record(registry, state);
        Received = registry.WaitForCallbackAsync(state, _withdraw.Token);
    }

    /// <summary>A flow recorded and waited for.</summary>
    public static TestFlow Start(PendingFlowRegistry registry, string state) => new(registry, state);

    /// <summary>Only records a flow, as the engine does before it calls its interaction.</summary>
    public static PendingAuthorization Record(PendingFlowRegistry registry, string state)
    {
        var flow = new PendingAuthorization(state, "default", Pkce.Create(), null!, null!, null, new Uri("http://127.0.0.1/callback"), null,
            DateTimeOffset.UtcNow);
        registry.Add(flow, maxPerProfile: 16);
        return flow;
    }

    /// <summary>The callback URL a surface delivered.</summary>
    public Task<Uri> Received { get; }

    /// <summary>The delivered callback, parsed by the one parser.</summary>
    public async Task<AuthorizationCallback> ReceivedCallbackAsync() => AuthorizationResponse.Parse(await Received.WaitAsync(TimeSpan.FromSeconds(10)));

    /// <summary>The engine stored the token.</summary>
    public void Succeed() => _ = _flow.FinishWithAsync(Task.FromResult(0));

    /// <summary>The engine failed the flow.</summary>
    public void Fail(Exception error) => _flow.Fail(error);

    public void Dispose()
    {
        _withdraw.Cancel();
        _withdraw.Dispose();
    }
}
