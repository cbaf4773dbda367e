using System.Security.Cryptography;
using McpAuth.Storage;

namespace McpAuth.Engine.Refresh;

/// <summary>
/// This process's hold on the refresh lease of one credential (<see cref="ITokenStore.TryAcquireLeaseAsync"/>): renewed
/// every third of its duration while held, so a slow authorization server never lets it lapse while the store can be
/// reached, and released on dispose unless handed over to a background save (<see cref="HandOver"/>). While the store
/// cannot be reached the lease is renewed again every <see cref="RetryPause"/>, so it survives any outage shorter than
/// about two thirds of its duration; a longer outage, or a holder whose process died, lets it run out by itself.
/// </summary>
internal sealed class RefreshLease : IAsyncDisposable
{
    private readonly ITokenStore _store;
    private readonly TimeSpan _duration;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;
    private StoreLease _current;
    private int _handedOver;
    private int _disposed;

    private RefreshLease(ITokenStore store, StoreLease lease, TimeSpan duration)
    {
        _store = store;
        _current = lease;
        _duration = duration;
        _renewing = RenewAsync();
    }

    /// <summary>A new holder id for one process's coordinator: the process id and 48 random bits (nothing secret).</summary>
    public static string NewHolderId() =>
        $"{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

    /// <summary>The lease as last acquired or renewed (its fence never changes).</summary>
    public StoreLease Current => Volatile.Read(ref _current);

    /// <summary>True once a renewal found another holder on the key.</summary>
    public bool Lost { get; private set; }

    /// <summary>Whether a background save now owns this lease (so the refresh must not release it).</summary>
    public bool HandedOver => Volatile.Read(ref _handedOver) != 0;

    /// <summary>Takes the lease, or null when another holder has it.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/> (a read-only or unreachable store).</exception>
    public static async Task<RefreshLease?> TryAcquireAsync(ITokenStore store, StoreKey key, string holder, TimeSpan duration)
    {
        var lease = await store.TryAcquireLeaseAsync(key, holder, duration, CancellationToken.None).ConfigureAwait(false);
        return lease is null ? null : new RefreshLease(store, lease, duration);
    }

    /// <summary>Gives the lease to a background save, which disposes it when done.</summary>
    public void HandOver() => Volatile.Write(ref _handedOver, 1);

    /// <summary>Stops renewing and releases the lease (a failure to release leaves it to expire).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        try
        {
            await _store.ReleaseLeaseAsync(Current, CancellationToken.None).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreUnavailable)
        {
            // It expires by itself; until then, waiters find the saved credential and need no lease.
        }
    }

    private async Task RenewAsync()
    {
        var token = _stop.Token;
        var pause = _duration / 3;
        while (!Lost)
        {
            // The real clock: the lease expires by the store's clock, whatever clock the engine was given.
            await Task.Delay(pause, TimeProvider.System, token).ConfigureAwait(false);
            try
            {
                if (await _store.RenewLeaseAsync(Current, _duration, token).ConfigureAwait(false) is { } renewed)
                {
                    Volatile.Write(ref _current, renewed);
                    pause = _duration / 3;
                }
                else
                {
                    Lost = true;
                }
            }
            catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreUnavailable)
            {
                // The lease still runs to its expiry: try again soon, so that it is renewed as soon as the store is back
                // rather than a third of its duration later (a database restart also leaves dead pooled connections
                // to get through first). Waiting the full third let a 2-second outage expire a 6-second lease while
                // its holder had a rotated token still to save, and another replica replayed the old one.
                pause = RetryPause(_duration);
            }
        }
    }

    /// <summary>The pause before renewing again after a failed renewal: a twentieth of the lease, at most a quarter second.</summary>
    internal static TimeSpan RetryPause(TimeSpan duration) =>
        duration / 20 < MaxRetryPause ? duration / 20 : MaxRetryPause;

    private static readonly TimeSpan MaxRetryPause = TimeSpan.FromMilliseconds(250);
}
