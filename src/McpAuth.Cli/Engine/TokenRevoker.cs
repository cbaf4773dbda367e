using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>
/// Revokes a stored credential's tokens at its revocation endpoint (RFC 7009 §2.1): the refresh token first (which
/// revokes the grant on most servers), then the access token. Public clients only send <c>client_id</c>; confidential
/// clients authenticate with the secret of their stored registration; without it logout says so instead of guessing.
/// </summary>
internal sealed class TokenRevoker(OAuthHttpClient http)
{
    public async Task<(bool Revoked, string? Note)> RevokeAsync(StoredCredential credential, string? clientSecret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (credential.RevocationEndpoint is null || !Uri.TryCreate(credential.RevocationEndpoint, UriKind.Absolute, out var endpoint))
        {
            return (false, "the authorization server has no revocation endpoint");
        }
        var method = credential.TokenEndpointAuthMethod ?? ClientAuthentication.None;
        if (method is not ClientAuthentication.None && (clientSecret is null || method == ClientAuthentication.PrivateKeyJwt))
        {
            return (false, $"the client authenticates with {method} and its secret is not stored; revoke it at the server");
        }
        try
        {
            if (credential.Tokens.RefreshToken is { } refresh)
            {
                await RevokeOneAsync(endpoint, method, credential.Binding.ClientId, clientSecret, refresh, Revocation.RefreshTokenHint, cancellationToken).ConfigureAwait(false);
            }
            await RevokeOneAsync(endpoint, method, credential.Binding.ClientId, clientSecret, credential.Tokens.AccessToken, Revocation.AccessTokenHint, cancellationToken)
                .ConfigureAwait(false);
            return (true, null);
        }
        catch (McpAuthException e)
        {
            return (false, $"revocation failed: {e.Code}{(e.OAuthError is null ? "" : $" ({e.OAuthError})")}");
        }
    }

    private async Task RevokeOneAsync(
        Uri endpoint, string method, string clientId, string? clientSecret, string token, string hint, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>(Revocation.BuildParameters(token, hint));
        var authorization = ClientAuthentication.Apply(method, clientId, clientSecret, parameters);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(parameters) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        Revocation.ReadResponse(await http.SendAsync(request, cancellationToken).ConfigureAwait(false));
    }
}
