using McpAuth.Engine.Refresh;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Engine;

/// <summary>The refresh seam of the engine: how an expiring or rejected credential becomes a fresh one.</summary>
internal interface ITokenRefresher
{
    /// <summary>
    /// A credential that is fresh and, when <paramref name="rejectedAccessToken"/> is given, carries another access token.
    /// </summary>
    /// <param name="credential">The credential as this caller last saw it.</param>
    /// <param name="client">The client the tokens were issued to.</param>
    /// <param name="dpop">The credential's DPoP key, if bound.</param>
    /// <param name="rejectedAccessToken">The access token a resource server just rejected, if any.</param>
    /// <param name="beforeRefresh">
    /// Runs under the refresh lock, only when this caller is about to use the refresh token (not when another thread
    /// or process already refreshed); it throws to stop the refresh.
    /// </param>
    /// <param name="cancellationToken">Cancels the wait and the request.</param>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.LoginRequired"/> when the refresh token is missing or refused; outages as classified.
    /// </exception>
    Task<StoredCredential> RefreshAsync(
        StoredCredential credential, ClientIdentity client, IDPoPProofSigner? dpop, string? rejectedAccessToken,
        Func<CancellationToken, Task>? beforeRefresh, CancellationToken cancellationToken);

    /// <summary>Tells the refresher about a credential just saved by an authorization.</summary>
    void Remember(StoredCredential credential);

    /// <summary>True when <paramref name="credential"/> can be used now without refreshing.</summary>
    bool IsFresh(StoredCredential credential);
}

/// <summary>
/// Refresh through the <see cref="RefreshCoordinator"/> (single flight in the process and across processes, rotated
/// refresh tokens never replayed, <c>invalid_grant</c> marks the credential for reauthorization); this class only
/// supplies the refresh_token grant itself (RFC 6749 §6, with the RFC 8707 resource and the credential's DPoP key).
/// </summary>
internal sealed class CoordinatedTokenRefresher(
    RefreshCoordinator coordinator, TokenEndpoint tokens, TimeProvider time, AuthorizationOptions? options = null) : ITokenRefresher
{
    public async Task<StoredCredential> RefreshAsync(
        StoredCredential credential, ClientIdentity client, IDPoPProofSigner? dpop, string? rejectedAccessToken,
        Func<CancellationToken, Task>? beforeRefresh, CancellationToken cancellationToken)
    {
        async Task<TokenSet> Refresh(StoredCredential current, CancellationToken ct)
        {
            if (beforeRefresh is not null)
            {
                await beforeRefresh(ct).ConfigureAwait(false);
            }
            var refreshToken = current.Tokens.RefreshToken ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired, "no refresh token");
            // The resource as the options choose it (Entra refuses it on refresh too, AADSTS9010010).
            var resource = options is null ? current.Binding.Resource : options.ResourceParameter(current.Binding.Resource);
            var parameters = TokenEndpointMessages.RefreshToken(refreshToken, resource);
            var response = await tokens.RequestAsync(new Uri(current.TokenEndpoint), current.Binding.Issuer, client, parameters, dpop, ct)
                .ConfigureAwait(false);
            // A null refresh token or scope tells the coordinator to keep the previous ones (RFC 6749 §6, §5.1).
            return response.ToTokenSet(time.GetUtcNow());
        }
        return rejectedAccessToken is null
            ? await coordinator.GetValidAsync(credential.Binding, Refresh, cancellationToken).ConfigureAwait(false)
            : await coordinator.RefreshAfterRejectionAsync(credential.Binding, rejectedAccessToken, Refresh, cancellationToken).ConfigureAwait(false);
    }

    public void Remember(StoredCredential credential) => coordinator.Remember(credential);

    public bool IsFresh(StoredCredential credential) => coordinator.IsFresh(credential);
}
