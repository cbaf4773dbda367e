using McpAuth.Engine.Events;
using McpAuth.Storage;

namespace McpAuth.Engine.Lifecycle;

public sealed partial class CredentialLifecycle
{
    /// <summary>How often <see cref="WaitForAuthorizationAsync"/> looks at the store for another process's login.</summary>
    internal TimeSpan StorePollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Waits until a usable credential for <paramref name="binding"/> is saved after this call, by this process (woken
    /// at once by its <see cref="CredentialEventKind.Authorized"/> event) or by another one (seen in the store), e.g.
    /// while another instance runs the browser login. Null when <paramref name="timeout"/> passes first.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<StoredCredential?> WaitForAuthorizationAsync(CredentialBinding binding, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        using var subscription = Events.Subscribe();
        var startGeneration = (await TryReadAsync(binding, cancellationToken).ConfigureAwait(false))?.Generation ?? 0;
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            while (true)
            {
                var latest = await TryReadAsync(binding, linked.Token).ConfigureAwait(false);
                if (latest is not null && latest.Generation > startGeneration && Refresh.IsFresh(latest))
                {
                    return latest;
                }
                await WakeAsync(subscription, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Returns at the next event of this process or after the poll interval, whichever comes first.</summary>
    private async Task WakeAsync(CredentialSubscription subscription, CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(StorePollInterval, _time, poll.Token);
        var woken = subscription.Reader.WaitToReadAsync(poll.Token).AsTask();
        await Task.WhenAny(timer, woken).ConfigureAwait(false);
        await poll.CancelAsync().ConfigureAwait(false);
        while (subscription.Reader.TryRead(out _))
        {
        }
        cancellationToken.ThrowIfCancellationRequested();
    }
}
