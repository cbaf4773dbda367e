using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>An authorization that was started and waits for its callback. Holds the PKCE verifier: never log it.</summary>
internal sealed record PendingAuthorization(
    string State, string Profile, PkceCodes Pkce, DiscoveryResult Discovery, ClientIdentity Client, string? Scope, Uri RedirectUri,
    IDPoPProofSigner? DPoP, DateTimeOffset CreatedAt)
{
    private readonly TaskCompletionSource<Exception?> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the engine is done with the flow: null once the token is stored, else the error.</summary>
    internal Task<Exception?> Finished => _finished.Task;

    /// <summary>Reports the end of <paramref name="completion"/> (the code's redemption and storage) to <see cref="Finished"/>.</summary>
    internal async Task<T> FinishWithAsync<T>(Task<T> completion)
    {
        try
        {
            var result = await completion.ConfigureAwait(false);
            _finished.TrySetResult(null);
            return result;
        }
        catch (Exception e)
        {
            _finished.TrySetResult(e);
            throw;
        }
    }

    internal void Fail(Exception error) => _finished.TrySetResult(error);
}

/// <summary>What became of a callback that a surface (a loopback listener, a pasted address) handed to the registry.</summary>
public enum CallbackDeliveryStatus
{
    /// <summary>Handed to the flow of its state.</summary>
    Delivered,
    /// <summary>Not an authorization response: no <c>state</c>, neither <c>code</c> nor <c>error</c>, or a repeated parameter.</summary>
    NotAnAuthorizationResponse,
    /// <summary>No flow was started with this state (or it was withdrawn long ago).</summary>
    UnknownState,
    /// <summary>The state was already used (completed, delivered or withdrawn): a replay.</summary>
    Replayed,
    /// <summary>The flow was started but is older than <see cref="PendingFlowRegistry.Lifetime"/>.</summary>
    Expired,
}

/// <summary>The answer to <see cref="PendingFlowRegistry.Deliver"/>.</summary>
/// <param name="Status">What became of the callback.</param>
/// <param name="Finished">
/// When delivered: completes once the engine is done with the flow, with null when the token is stored, else the error
/// (typically an <see cref="McpAuthException"/>); for the page the browser shows. Null when not delivered.
/// </param>
public sealed record CallbackDelivery(CallbackDeliveryStatus Status, Task<Exception?>? Finished);

