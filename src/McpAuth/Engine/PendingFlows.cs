using System.Collections.Concurrent;
using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>An authorization that was started and waits for its callback. Holds the PKCE verifier: never log it.</summary>
internal sealed record PendingAuthorization(
    string State, PkceCodes Pkce, DiscoveryResult Discovery, ClientIdentity Client, string? Scope, Uri RedirectUri,
    IDPoPProofSigner? DPoP, DateTimeOffset CreatedAt);

/// <summary>
/// The authorizations waiting for a callback, keyed by <c>state</c>, bounded in number and age. Per client instance:
/// no static state.
/// </summary>
internal sealed class PendingFlows(int capacity, TimeSpan lifetime, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, PendingAuthorization> _flows = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public int Count => _flows.Count;

    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.TooManyPendingFlows"/> when full.</exception>
    public void Add(PendingAuthorization flow)
    {
        lock (_gate)
        {
            Purge();
            if (_flows.Count >= capacity)
            {
                throw new McpAuthException(McpAuthErrorCode.TooManyPendingFlows);
            }
            _flows[flow.State] = flow;
        }
    }

    /// <summary>Removes and returns the flow of <paramref name="state"/>; a flow is completed at most once.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/> for an unknown state, <see cref="McpAuthErrorCode.FlowExpired"/> for an old one.
    /// </exception>
    public PendingAuthorization Take(string? state)
    {
        if (state is null || !_flows.TryRemove(state, out var flow))
        {
            throw new McpAuthException(McpAuthErrorCode.StateMismatch);
        }
        return time.GetUtcNow() - flow.CreatedAt > lifetime ? throw new McpAuthException(McpAuthErrorCode.FlowExpired) : flow;
    }

    private void Purge()
    {
        var now = time.GetUtcNow();
        foreach (var (state, flow) in _flows)
        {
            if (now - flow.CreatedAt > lifetime)
            {
                _flows.TryRemove(state, out _);
            }
        }
    }
}
