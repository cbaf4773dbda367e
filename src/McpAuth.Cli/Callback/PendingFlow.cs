namespace McpAuth.Cli.Callback;

/// <summary>
/// One authorization flow waiting for its redirect. The flow's owner awaits <see cref="Received"/>, finishes the
/// login (code exchange), then calls <see cref="Complete"/> so the browser page says what happened.
/// Disposing it withdraws the flow: a late redirect for its state is then refused.
/// </summary>
public sealed class PendingFlow : IDisposable
{
    private readonly TaskCompletionSource<AuthorizationCallback> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<CallbackOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<PendingFlow> _withdraw;

    internal PendingFlow(string state, DateTimeOffset createdAt, Action<PendingFlow> withdraw)
    {
        State = state;
        CreatedAt = createdAt;
        _withdraw = withdraw;
    }

    /// <summary>The <c>state</c> value this flow was registered with.</summary>
    public string State { get; }

    /// <summary>When the flow was registered.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// Completes with the authorization response; faults with <see cref="McpAuthException"/>
    /// (<see cref="McpAuthErrorCode.FlowExpired"/>) when the flow aged out, or is cancelled when withdrawn.
    /// </summary>
    public Task<AuthorizationCallback> Received => _received.Task;

    /// <summary>The result shown on the browser page.</summary>
    internal Task<CallbackOutcome> Outcome => _outcome.Task;

    /// <summary>Reports the final result of the login to the waiting browser page.</summary>
    public void Complete(CallbackOutcome outcome) => _outcome.TrySetResult(outcome);

    internal bool TryDeliver(AuthorizationCallback callback) => _received.TrySetResult(callback);

    internal void Expire() => _received.TrySetException(new McpAuthException(McpAuthErrorCode.FlowExpired));

    public void Dispose()
    {
        _received.TrySetCanceled();
        _outcome.TrySetResult(CallbackOutcome.Failure("The login was cancelled in the terminal."));
        _withdraw(this);
    }
}
