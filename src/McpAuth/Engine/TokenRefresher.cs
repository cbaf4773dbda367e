using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Engine;

/// <summary>
/// The refresh seam: how an expiring credential becomes a fresh one. The default below refreshes under the store's
/// lock; a coordinator with cross-process single-flight can replace it.
/// </summary>
internal interface ITokenRefresher
{
    /// <exception cref="McpAuthException">The classified refresh failure (<see cref="McpAuthErrorCode.InvalidGrant"/> means log in again).</exception>
    Task<StoredCredential> RefreshAsync(StoredCredential credential, ClientIdentity client, IDPoPProofSigner? dpop, CancellationToken cancellationToken);
}

/// <summary>Refreshes (RFC 6749 §6) under the credential's store lock, re-reading first so a refresh done elsewhere is reused.</summary>
internal sealed class TokenRefresher(TokenEndpoint tokens, TokenVault vault, TimeProvider time, TimeSpan skew) : ITokenRefresher
{
    public async Task<StoredCredential> RefreshAsync(
        StoredCredential credential, ClientIdentity client, IDPoPProofSigner? dpop, CancellationToken cancellationToken)
    {
        await using var held = (await vault.Store.LockAsync(StoreKeys.RefreshLock(credential.Binding), TimeSpan.FromSeconds(30), cancellationToken)
            .ConfigureAwait(false)).ConfigureAwait(false);
        var current = await vault.GetCredentialAsync(credential.Binding, cancellationToken).ConfigureAwait(false) ?? credential;
        if (current.Generation != credential.Generation && !IsExpiring(current.Tokens, time.GetUtcNow(), skew))
        {
            return current;
        }
        var refreshToken = current.Tokens.RefreshToken ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired, "no refresh token");
        var parameters = TokenEndpointMessages.RefreshToken(refreshToken, current.Binding.Resource);
        var response = await tokens.RequestAsync(new Uri(current.TokenEndpoint), current.Binding.Issuer, client, parameters, dpop, cancellationToken)
            .ConfigureAwait(false);
        var refreshed = current with
        {
            Tokens = response.ToTokenSet(time.GetUtcNow(), refreshToken, current.Tokens.Scope),
            Generation = current.Generation + 1,
            State = CredentialState.Valid,
            UpdatedAt = time.GetUtcNow(),
        };
        await vault.SaveCredentialAsync(refreshed, cancellationToken).ConfigureAwait(false);
        return refreshed;
    }

    /// <summary>True when the token expires within <paramref name="skew"/>.</summary>
    public static bool IsExpiring(TokenSet tokens, DateTimeOffset now, TimeSpan skew) => tokens.ExpiresAt is { } at && at - skew <= now;
}
