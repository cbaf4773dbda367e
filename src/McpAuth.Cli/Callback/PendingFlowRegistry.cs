using System.Collections.Concurrent;

namespace McpAuth.Cli.Callback;

/// <summary>Why a redirect was or was not routed to a pending flow.</summary>
public enum DeliveryStatus
{
    /// <summary>Routed to its flow.</summary>
    Delivered,
    /// <summary>No flow was ever registered with this state (or it was withdrawn).</summary>
    UnknownState,
    /// <summary>The state was already used by an earlier redirect: a replay.</summary>
    Replayed,
    /// <summary>The flow was registered but is older than the maximum age.</summary>
    Expired,
}

/// <summary>
/// The flows waiting on one loopback listener, keyed by <c>state</c> (RFC 6749 §10.12). Bounded in count and age;
/// each state is accepted once, so a replayed or unknown redirect is refused.
/// </summary>
public sealed class PendingFlowRegistry
{
    /// <summary>How many used states are remembered to tell a replay from an unknown state.</summary>
    private const int UsedStateMemory = 256;

    private readonly ConcurrentDictionary<string, PendingFlow> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _usedOrder = new();
    private readonly ConcurrentDictionary<string, byte> _used = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly object _gate = new();

    public PendingFlowRegistry(TimeProvider time, int maxPending = 8, TimeSpan? maxAge = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPending, 1);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        MaxPending = maxPending;
        MaxAge = maxAge ?? TimeSpan.FromMinutes(10);
    }

    /// <summary>The most flows that may wait at once.</summary>
    public int MaxPending { get; }

    /// <summary>How long a flow may wait for its redirect.</summary>
    public TimeSpan MaxAge { get; }

    /// <summary>How many flows are waiting now.</summary>
    public int Count => _pending.Count;

    /// <summary>Registers a flow for <paramref name="state"/>.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.TooManyPendingFlows"/> when the registry is full.</exception>
    /// <exception cref="ArgumentException">The state is empty or already registered or used.</exception>
    public PendingFlow Register(string state)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        lock (_gate)
        {
            ExpireOld();
            if (_pending.Count >= MaxPending)
            {
                throw new McpAuthException(McpAuthErrorCode.TooManyPendingFlows, $"{MaxPending} pending");
            }
            if (_used.ContainsKey(state) || _pending.ContainsKey(state))
            {
                throw new ArgumentException("The state value is already in use.", nameof(state));
            }
            var flow = new PendingFlow(state, _time.GetUtcNow(), Withdraw);
            _pending[state] = flow;
            return flow;
        }
    }

    /// <summary>
    /// Routes an authorization response to its flow. A state is accepted at most once. The flow is returned when
    /// delivered, so the caller can wait for its outcome.
    /// </summary>
    public (DeliveryStatus Status, PendingFlow? Flow) Deliver(AuthorizationCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            if (_used.ContainsKey(callback.State))
            {
                return (DeliveryStatus.Replayed, null);
            }
            if (!_pending.TryRemove(callback.State, out var flow))
            {
                return (DeliveryStatus.UnknownState, null);
            }
            MarkUsed(callback.State);
            if (_time.GetUtcNow() - flow.CreatedAt > MaxAge)
            {
                flow.Expire();
                return (DeliveryStatus.Expired, null);
            }
            return flow.TryDeliver(callback) ? (DeliveryStatus.Delivered, flow) : (DeliveryStatus.UnknownState, null);
        }
    }

    private void Withdraw(PendingFlow flow)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(flow.State, out var current) && ReferenceEquals(current, flow))
            {
                _pending.TryRemove(flow.State, out _);
                MarkUsed(flow.State);
            }
        }
    }

    private void ExpireOld()
    {
        var now = _time.GetUtcNow();
        foreach (var (state, flow) in _pending)
        {
            if (now - flow.CreatedAt > MaxAge && _pending.TryRemove(state, out _))
            {
                MarkUsed(state);
                flow.Expire();
            }
        }
    }

    private void MarkUsed(string state)
    {
        if (_used.TryAdd(state, 0))
        {
            _usedOrder.Enqueue(state);
        }
        while (_usedOrder.Count > UsedStateMemory && _usedOrder.TryDequeue(out var oldest))
        {
            _used.TryRemove(oldest, out _);
        }
    }
}
