using McpAuth.Storage;

namespace McpAuth.Engine.Events;

/// <summary>What happened to a credential.</summary>
public enum CredentialEventKind
{
    /// <summary>An authorization completed and its tokens were saved.</summary>
    Authorized,
    /// <summary>A refresh started (this process holds the refresh lock).</summary>
    Refreshing,
    /// <summary>A refresh completed and the new tokens were saved.</summary>
    Refreshed,
    /// <summary>A refresh failed without needing a new login (outage, timeout, rate limit); the credential is unchanged.</summary>
    RefreshFailed,
    /// <summary>The refresh token was rejected or is missing: a new login is needed.</summary>
    NeedsReauthorization,
    /// <summary>The credential was cleared (logout).</summary>
    Released,
}

/// <summary>One lifecycle event. Carries no token.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Binding">Which credential.</param>
/// <param name="State">The state after the event.</param>
/// <param name="Generation">The credential's generation after the event (see <see cref="StoredCredential.Generation"/>).</param>
/// <param name="At">When (from the injected <see cref="TimeProvider"/>).</param>
/// <param name="ErrorCode">For failures, the stable reason.</param>
public sealed record CredentialEvent(
    CredentialEventKind Kind,
    CredentialBinding Binding,
    CredentialState State,
    long Generation,
    DateTimeOffset At,
    McpAuthErrorCode? ErrorCode = null);
