using System.Collections.Concurrent;
using System.Threading.Channels;
using McpAuth.Storage;

namespace McpAuth.Engine.Events;

/// <summary>
/// The in-process lifecycle of credentials: each binding's last state and generation, and the events that changed
/// them, delivered to every subscriber through its own channel. A slow subscriber loses its oldest events, never blocks
/// a refresh.
/// </summary>
public sealed class CredentialEvents
{
    private const int SubscriberCapacity = 256;
    private readonly TimeProvider _time;
    // The last event per binding (a class value: a tuple would be JIT-compiled at every start).
    private readonly ConcurrentDictionary<CredentialBinding, CredentialEvent> _last = new();
    private readonly Lock _subscribersLock = new();
    private volatile Channel<CredentialEvent>[] _subscribers = [];

    /// <summary>Creates the event hub.</summary>
    /// <param name="timeProvider">The clock for event timestamps; <see cref="TimeProvider.System"/> when null.</param>
    public CredentialEvents(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <summary>Starts receiving events now. Dispose the subscription to stop.</summary>
    public CredentialSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<CredentialEvent>(new BoundedChannelOptions(SubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_subscribersLock)
        {
            _subscribers = [.. _subscribers, channel];
        }
        return new CredentialSubscription(channel, () => Unsubscribe(channel));
    }

    /// <summary>
    /// Waits until an authorization for <paramref name="binding"/> completes in this process, or
    /// <paramref name="timeout"/> passes (then null).
    /// </summary>
    public async Task<CredentialEvent?> WaitForAuthorizationAsync(CredentialBinding binding, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        using var subscription = Subscribe();
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            await foreach (var e in subscription.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                if (e.Kind == CredentialEventKind.Authorized && e.Binding.Equals(binding))
                {
                    return e;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        return null;
    }

    /// <summary>The last state this process saw for <paramref name="binding"/>, if any.</summary>
    public bool TryGetState(CredentialBinding binding, out CredentialState state, out long generation)
    {
        var found = _last.TryGetValue(binding, out var last);
        (state, generation) = found ? (last!.State, last.Generation) : (default, 0);
        return found;
    }

    /// <summary>Records a transition and tells every subscriber.</summary>
    internal CredentialEvent Publish(CredentialEventKind kind, CredentialBinding binding, CredentialState state, long generation,
        McpAuthErrorCode? errorCode = null)
    {
        var e = new CredentialEvent(kind, binding, state, generation, _time.GetUtcNow(), errorCode);
        _last[binding] = e;
        foreach (var channel in _subscribers)
        {
            channel.Writer.TryWrite(e);
        }
        return e;
    }

    private void Unsubscribe(Channel<CredentialEvent> channel)
    {
        lock (_subscribersLock)
        {
            _subscribers = [.. _subscribers.Where(c => c != channel)];
        }
        channel.Writer.TryComplete();
    }
}

/// <summary>One subscriber's events, in order. Dispose to unsubscribe.</summary>
public sealed class CredentialSubscription : IDisposable
{
    private readonly Channel<CredentialEvent> _channel;
    private readonly Action _unsubscribe;
    private int _disposed;

    internal CredentialSubscription(Channel<CredentialEvent> channel, Action unsubscribe)
    {
        _channel = channel;
        _unsubscribe = unsubscribe;
    }

    /// <summary>The events as they arrive; ends when the subscription is disposed.</summary>
    public ChannelReader<CredentialEvent> Reader => _channel.Reader;

    /// <summary>The events as an async stream.</summary>
    public IAsyncEnumerable<CredentialEvent> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _unsubscribe();
        }
    }
}
