using System.Diagnostics.CodeAnalysis;
using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>
/// The one registry of authorization code flows waiting for their callback, keyed by <c>state</c> (RFC 6749 §10.12):
/// bounded in number (per profile, per tenant, in total) and in age; each state is accepted once. An engine
/// (<see cref="McpAuthClient"/>) adds the flows it starts and takes them back when it completes them. A host shares
/// one registry between its engines and its callback surfaces: a callback endpoint serving several profiles asks
/// <see cref="TryGetProfile"/> which engine a callback belongs to; a loopback listener <see cref="Deliver"/>s what it
/// receives to the interaction that <see cref="WaitForCallbackAsync"/>. Per instance: no static state.
/// </summary>
public sealed class PendingFlowRegistry
{
    /// <summary>How many used states are remembered to tell a replay from an unknown state.</summary>
    private const int UsedStateMemory = 256;

    private readonly Dictionary<string, Waiting> _flows = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly Queue<string> _usedOrder = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;

    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="lifetime">How long a flow may wait for its callback; 10 minutes when null.</param>
    /// <param name="maxTotal">How many flows may wait at once (<see cref="AuthorizationOptions.MaxPendingFlowsTotal"/>).</param>
    /// <param name="maxPerTenant">
    /// How many flows of one tenant (the part of a "tenant/user" profile before '/') may wait at once
    /// (<see cref="AuthorizationOptions.MaxPendingFlowsPerTenant"/>).
    /// </param>
    public PendingFlowRegistry(TimeProvider? time = null, TimeSpan? lifetime = null, int maxTotal = 1024, int maxPerTenant = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTotal, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerTenant, 1);
        _time = time ?? TimeProvider.System;
        Lifetime = lifetime ?? TimeSpan.FromMinutes(10);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Lifetime, TimeSpan.Zero, nameof(lifetime));
        MaxTotal = maxTotal;
        MaxPerTenant = maxPerTenant;
    }

    /// <summary>A registry with the limits of <paramref name="options"/>.</summary>
    internal static PendingFlowRegistry For(McpAuthOptions options, TimeProvider time) =>
        new(time, options.Authorization.PendingFlowLifetime, options.Authorization.MaxPendingFlowsTotal, options.Authorization.MaxPendingFlowsPerTenant);

    /// <summary>How long a flow may wait for its callback.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>How many flows may wait at once.</summary>
    public int MaxTotal { get; }

    /// <summary>How many flows of one tenant may wait at once.</summary>
    public int MaxPerTenant { get; }

    /// <summary>How many flows are waiting now (expired ones included until they are swept).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _flows.Count;
            }
        }
    }

    /// <summary>
    /// The profile of the engine that started the flow of <paramref name="state"/>, for a callback endpoint that serves
    /// several profiles (RFC 6749 §4.1.2: the <c>state</c> routes the response). False for an unknown or used state.
    /// </summary>
    public bool TryGetProfile(string? state, [NotNullWhen(true)] out string? profile)
    {
        lock (_gate)
        {
            profile = state is not null && _flows.TryGetValue(state, out var waiting) ? waiting.Flow.Profile : null;
            return profile is not null;
        }
    }

    /// <summary>The tenant of a "tenant/user" profile; a profile without '/' is its own tenant.</summary>
    public static string TenantOf(string profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var slash = profile.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? profile : profile[..slash];
    }

    /// <summary>
    /// Hands a callback that a surface received (a loopback listener, a pasted address) to the interaction waiting for
    /// its flow (<see cref="WaitForCallbackAsync"/>). Parsed with <see cref="AuthorizationResponse.TryParse"/>; each
    /// state is accepted once.
    /// </summary>
    public CallbackDelivery Deliver(Uri callbackUrl)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        if (!AuthorizationResponse.TryParse(callbackUrl, out var callback))
        {
            return new CallbackDelivery(CallbackDeliveryStatus.NotAnAuthorizationResponse, null);
        }
        lock (_gate)
        {
            if (_used.Contains(callback.State!))
            {
                return new CallbackDelivery(CallbackDeliveryStatus.Replayed, null);
            }
            if (!_flows.TryGetValue(callback.State!, out var waiting))
            {
                return new CallbackDelivery(CallbackDeliveryStatus.UnknownState, null);
            }
            if (IsOld(waiting.Flow))
            {
                Expire(waiting);
                return new CallbackDelivery(CallbackDeliveryStatus.Expired, null);
            }
            return waiting.Callback.TrySetResult(callbackUrl)
                ? new CallbackDelivery(CallbackDeliveryStatus.Delivered, waiting.Flow.Finished)
                : new CallbackDelivery(CallbackDeliveryStatus.Replayed, null);
        }
    }

    /// <summary>
    /// For an <see cref="IAuthorizationInteraction"/>: waits until a surface <see cref="Deliver"/>s the callback of the
    /// flow of <paramref name="state"/>, and returns its URL. Cancelling withdraws the flow: a late callback for it is
    /// refused as a replay.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/> when no flow waits with this state; <see cref="McpAuthErrorCode.FlowExpired"/>
    /// when the flow aged out while waiting.
    /// </exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled.</exception>
    public async Task<Uri> WaitForCallbackAsync(string state, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        Waiting? waiting;
        lock (_gate)
        {
            if (!_flows.TryGetValue(state, out waiting))
            {
                throw new McpAuthException(McpAuthErrorCode.StateMismatch);
            }
        }
        try
        {
            return await waiting.Callback.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Withdraw(waiting);
            throw;
        }
    }

    /// <summary>Records a flow the engine started.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.TooManyPendingFlows"/> when the profile's (<paramref name="maxPerProfile"/>), the
    /// tenant's or the total bound is reached.
    /// </exception>
    internal void Add(PendingAuthorization flow, int maxPerProfile)
    {
        lock (_gate)
        {
            Sweep();
            if (_flows.ContainsKey(flow.State) || _used.Contains(flow.State))
            {
                throw new ArgumentException("The state value is already in use.", nameof(flow));
            }
            if (Full(flow.Profile, maxPerProfile) is { } bound)
            {
                throw new McpAuthException(McpAuthErrorCode.TooManyPendingFlows, bound);
            }
            _flows[flow.State] = new Waiting(flow);
        }
    }

    /// <summary>Removes and returns the flow of <paramref name="state"/> started by <paramref name="profile"/>; at most once.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/> for an unknown or used state, or another profile's;
    /// <see cref="McpAuthErrorCode.FlowExpired"/> for an old one.
    /// </exception>
    internal PendingAuthorization Take(string? state, string profile)
    {
        lock (_gate)
        {
            if (state is null || !_flows.TryGetValue(state, out var waiting) || waiting.Flow.Profile != profile)
            {
                throw new McpAuthException(McpAuthErrorCode.StateMismatch);
            }
            if (IsOld(waiting.Flow))
            {
                Expire(waiting);
                throw new McpAuthException(McpAuthErrorCode.FlowExpired);
            }
            Remove(waiting);
            return waiting.Flow;
        }
    }

    /// <summary>Which bound a new flow of <paramref name="profile"/> would pass, or null; the caller holds the gate.</summary>
    private string? Full(string profile, int maxPerProfile)
    {
        if (_flows.Count >= MaxTotal)
        {
            return "total";
        }
        var tenant = TenantOf(profile);
        var values = _flows.Values;
        if (values.Count(w => TenantOf(w.Flow.Profile) == tenant) >= MaxPerTenant)
        {
            return "tenant";
        }
        return values.Count(w => w.Flow.Profile == profile) >= maxPerProfile ? "profile" : null;
    }

    private bool IsOld(PendingAuthorization flow) => _time.GetUtcNow() - flow.CreatedAt > Lifetime;

    /// <summary>Expires every old flow; the caller holds the gate.</summary>
    private void Sweep()
    {
        foreach (var waiting in _flows.Values.Where(w => IsOld(w.Flow)).ToList())
        {
            Expire(waiting);
        }
    }

    private void Expire(Waiting waiting)
    {
        Remove(waiting);
        var expired = new McpAuthException(McpAuthErrorCode.FlowExpired);
        if (waiting.Callback.TrySetException(expired))
        {
            _ = waiting.Callback.Task.Exception; // observed: nobody may be waiting
        }
        waiting.Flow.Fail(expired);
    }

    private void Withdraw(Waiting waiting)
    {
        lock (_gate)
        {
            if (_flows.TryGetValue(waiting.Flow.State, out var current) && ReferenceEquals(current, waiting))
            {
                Remove(waiting);
            }
        }
    }

    /// <summary>Removes a flow and remembers its state as used; the caller holds the gate.</summary>
    private void Remove(Waiting waiting)
    {
        var state = waiting.Flow.State;
        _flows.Remove(state);
        if (_used.Add(state))
        {
            _usedOrder.Enqueue(state);
        }
        while (_usedOrder.Count > UsedStateMemory)
        {
            _used.Remove(_usedOrder.Dequeue());
        }
    }

    /// <summary>A flow and the callback a surface delivers to it.</summary>
    private sealed class Waiting(PendingAuthorization flow)
    {
        public PendingAuthorization Flow { get; } = flow;

        public TaskCompletionSource<Uri> Callback { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
