using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>
/// Revokes a stored credential's tokens at its revocation endpoint (RFC 7009 §2.1): the refresh token first (which
/// revokes the grant on most servers), then the access token. Public clients only send <c>client_id</c>; confidential
/// clients need their secret, which logout does not have, so it says so instead of guessing.
/// </summary>
internal sealed class TokenRevoker(OAuthHttpClient http)
{
    public async Task<(bool Revoked, string? Note)> RevokeAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (credential.RevocationEndpoint is null || !Uri.TryCreate(credential.RevocationEndpoint, UriKind.Absolute, out var endpoint))
        {
            return (false, "the authorization server has no revocation endpoint");
        }
        if (credential.TokenEndpointAuthMethod is not (null or "none"))
        {
            return (false, $"the client authenticates with {credential.TokenEndpointAuthMethod}; revoke it at the server");
        }
        try
        {
            if (credential.Tokens.RefreshToken is { } refresh)
            {
                await RevokeOneAsync(endpoint, credential.Binding.ClientId, refresh, Revocation.RefreshTokenHint, cancellationToken).ConfigureAwait(false);
            }
            await RevokeOneAsync(endpoint, credential.Binding.ClientId, credential.Tokens.AccessToken, Revocation.AccessTokenHint, cancellationToken)
                .ConfigureAwait(false);
            return (true, null);
        }
        catch (McpAuthException e)
        {
            return (false, $"revocation failed: {e.Code}{(e.OAuthError is null ? "" : $" ({e.OAuthError})")}");
        }
    }

    private async Task RevokeOneAsync(Uri endpoint, string clientId, string token, string hint, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>(Revocation.BuildParameters(token, hint)) { new("client_id", clientId) };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(parameters) };
        Revocation.ReadResponse(await http.SendAsync(request, cancellationToken).ConfigureAwait(false));
    }
}
