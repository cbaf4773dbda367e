using McpAuth.Diagnostics;
using McpAuth.Storage;

namespace McpAuth.Engine;

/// <summary>How <see cref="McpAuthClient.LogoutAsync(Uri, LogoutOptions?, CancellationToken)"/> releases a credential.</summary>
public sealed record LogoutOptions
{
    /// <summary>Revoke the tokens at the authorization server (RFC 7009) before clearing them. Default true.</summary>
    public bool Revoke { get; init; } = true;

    /// <summary>
    /// Also delete the stored client registration the tokens were issued to, unless another stored credential (another
    /// profile, or another server behind the same authorization server) still uses that client. Default false (kept
    /// for the next login).
    /// </summary>
    public bool RemoveRegistration { get; init; }

    /// <summary>For <see cref="McpAuthClient.LogoutAllAsync"/>: every profile, not only <see cref="McpAuthOptions.Profile"/>.</summary>
    public bool AllProfiles { get; init; }
}

/// <summary>
/// What a logout did for one credential, token by token (<paramref name="RefreshTokenRevoked"/>,
/// <paramref name="AccessTokenRevoked"/>, and <see cref="AccessTokenNotRevocable"/>). The local copy is cleared even
/// when revocation failed.
/// </summary>
/// <param name="Binding">The credential.</param>
/// <param name="RefreshTokenRevoked">The refresh token was revoked at the server.</param>
/// <param name="AccessTokenRevoked">The access token was revoked at the server.</param>
/// <param name="Revocation">What happened at the revocation endpoint.</param>
/// <param name="RevocationError">
/// The typed failure when <paramref name="Revocation"/> is <see cref="RevocationOutcome.Failed"/>; the access token's
/// <c>unsupported_token_type</c> answer when it is <see cref="RevocationOutcome.RefreshTokenOnly"/>.
/// </param>
/// <param name="Cleared">The stored credential was deleted (false when it was already gone).</param>
/// <param name="RegistrationRemoved">The client registration was deleted too.</param>
/// <param name="RegistrationInUse">
/// Removing the registration was asked for but it was kept, because another stored credential uses the same client.
/// </param>
/// <param name="RegistrationDeletedAtServer">
/// The removed dynamic registration was also deleted at the authorization server (RFC 7592 §2.3).
/// </param>
/// <param name="RegistrationDeletionError">
/// Why deleting it at the server failed, when it was tried and failed (the local copy is removed all the same).
/// </param>
public sealed record LogoutResult(
    CredentialBinding Binding, bool RefreshTokenRevoked, bool AccessTokenRevoked, RevocationOutcome Revocation,
    McpAuthException? RevocationError, bool Cleared, bool RegistrationRemoved, bool RegistrationInUse = false,
    bool RegistrationDeletedAtServer = false, McpAuthException? RegistrationDeletionError = null)
{
    /// <summary>
    /// The server does not revoke access tokens (RFC 7009 §2.2.1 <c>unsupported_token_type</c>): the access token stays
    /// valid until it expires, though the refresh token (and at most servers the grant) is revoked.
    /// </summary>
    public bool AccessTokenNotRevocable => Revocation == RevocationOutcome.RefreshTokenOnly;

    /// <summary>When the access token expires, when known: how long a token the server did not revoke stays valid.</summary>
    public DateTimeOffset? AccessTokenExpiresAt { get; init; }
}

/// <summary>
/// Releases one stored credential: revokes the refresh token, then the access token (RFC 7009), then ALWAYS clears the
/// credential through the lifecycle (even when revocation failed), and removes its client registration when asked and
/// no other credential uses it (deleting a dynamic one at the server too, RFC 7592).
/// </summary>
internal sealed class CredentialRelease(EngineServices services)
{
    /// <exception cref="McpAuthException">Store errors only; revocation failures are in the result.</exception>
    public async Task<LogoutResult> LogoutAsync(StoredCredential credential, LogoutOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new LogoutOptions();
        var binding = credential.Binding;
        var client = await services.Identities.FromStoredAsync(credential, cancellationToken).ConfigureAwait(false);
        var report = options.Revoke
            ? await RevokeTracedAsync(credential, client, cancellationToken).ConfigureAwait(false)
            : new RevocationReport(false, false, RevocationOutcome.NotRequested, null);
        var cleared = await services.Lifecycle.ReleaseAsync(binding, cancellationToken).ConfigureAwait(false);
        var inUse = options.RemoveRegistration && await IsClientStillUsedAsync(binding, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<StoredRegistration> removed = options.RemoveRegistration && !inUse
            ? await services.Identities.RemoveRegistrationsAsync(binding.Issuer, binding.ClientId, cancellationToken).ConfigureAwait(false)
            : [];
        var (deleted, deletionError) = await DeleteAtServerAsync(removed, options.Revoke, cancellationToken).ConfigureAwait(false);
        EngineLog.LoggedOut(services.Logger, binding.Resource, report.Outcome, report.Error?.Code);
        return new LogoutResult(binding, report.RefreshTokenRevoked, report.AccessTokenRevoked, report.Outcome, report.Error, cleared,
            removed.Count > 0, inUse, deleted, deletionError)
        {
            AccessTokenExpiresAt = credential.Tokens.ExpiresAt,
        };
    }

    /// <summary>Revocation never throws for a server failure: its report's error is what the span records.</summary>
    private async Task<RevocationReport> RevokeTracedAsync(StoredCredential credential, ClientIdentity client, CancellationToken ct)
    {
        using var step = services.Telemetry.Start(McpAuthTelemetryNames.RevocationSpan, credential.Binding.Resource);
        var report = await services.Revocation.RevokeAsync(credential, client, ct).ConfigureAwait(false);
        if (report.Error is { } error)
        {
            step.Failed(error.Code);
        }
        else
        {
            step.Succeeded();
        }
        return report;
    }

    /// <summary>
    /// RFC 7592: deletes removed dynamic registrations at the server too, so a logout leaves no client behind there.
    /// Like revocation, only when the server may be contacted (<see cref="LogoutOptions.Revoke"/>), and a failure is
    /// reported, never thrown: the local copies are already gone.
    /// </summary>
    private async Task<(bool Deleted, McpAuthException? Error)> DeleteAtServerAsync(
        IReadOnlyList<StoredRegistration> removed, bool contactServer, CancellationToken cancellationToken)
    {
        var deleted = false;
        foreach (var registration in contactServer ? removed : [])
        {
            try
            {
                deleted |= await services.Identities.DeleteAtServerAsync(registration, cancellationToken).ConfigureAwait(false);
            }
            catch (McpAuthException e)
            {
                return (deleted, e);
            }
        }
        return (deleted, null);
    }

    /// <summary>
    /// Whether another stored credential was issued to the same client (a registration is per issuer and redirect URI,
    /// so profiles and servers behind one authorization server share it); deleting it would strand their refreshes.
    /// </summary>
    private async Task<bool> IsClientStillUsedAsync(CredentialBinding released, CancellationToken cancellationToken)
    {
        var (credentials, _) = await services.Vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
        return credentials.Any(c => c.Binding != released && c.Binding.Issuer == released.Issuer && c.Binding.ClientId == released.ClientId);
    }
}
