using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Engine;

/// <summary>What happened at the revocation endpoint during a logout.</summary>
public enum RevocationOutcome
{
    /// <summary>Every stored token was revoked (RFC 7009 §2.2).</summary>
    Revoked,
    /// <summary>Revocation was not asked for (<see cref="LogoutOptions.Revoke"/> false).</summary>
    NotRequested,
    /// <summary>The authorization server advertises no revocation endpoint.</summary>
    NotSupported,
    /// <summary>The client authenticates with a secret or key that is not available here; nothing was sent.</summary>
    NoClientCredentials,
    /// <summary>The server or the network refused; see <see cref="LogoutResult.RevocationError"/>.</summary>
    Failed,
    /// <summary>
    /// The refresh token was revoked (at most servers the whole grant with it), but the server answered
    /// <c>unsupported_token_type</c> for the access token (RFC 7009 §2.2.1: it does not revoke that type, typically
    /// self-contained JWTs), which stays valid until it expires. <see cref="LogoutResult.RevocationError"/> holds that answer.
    /// </summary>
    RefreshTokenOnly,
}

/// <summary>What revoking one credential's tokens did.</summary>
internal sealed record RevocationReport(bool RefreshTokenRevoked, bool AccessTokenRevoked, RevocationOutcome Outcome, McpAuthException? Error);

/// <summary>
/// Revokes a credential's tokens (RFC 7009 §2.1): the refresh token first (most servers then revoke the whole grant),
/// then the access token, authenticated as the revocation endpoint asks (RFC 8414 §2
/// <c>revocation_endpoint_auth_methods_supported</c>, else the token endpoint method). A server that answers 401 to
/// the client's authentication gets the request once more with the access token as a bearer credential. A
/// <c>private_key_jwt</c> client signs a fresh assertion for each request (RFC 7523 §2.2, audience the issuer), as at
/// the token endpoint.
/// </summary>
internal sealed class TokenRevocation(OAuthHttpClient http, TimeProvider time, IClientAssertionFactory? assertions)
{
    /// <summary>
    /// The method to authenticate at the revocation endpoint: the client's token endpoint method when the endpoint
    /// accepts it (or advertises nothing), else the first advertised method the client can perform.
    /// </summary>
    public static string ChooseMethod(IReadOnlyList<string>? revocationMethods, ClientIdentity client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (revocationMethods is null || revocationMethods.Contains(client.TokenEndpointAuthMethod, StringComparer.Ordinal))
        {
            return client.TokenEndpointAuthMethod;
        }
        return ClientAuthentication.Choose(revocationMethods, client.ClientSecret is not null)
            ?? (revocationMethods.Contains(ClientAuthentication.None, StringComparer.Ordinal) ? ClientAuthentication.None : client.TokenEndpointAuthMethod);
    }

    /// <summary>Revokes the refresh token, then the access token; never throws for a server or network failure.</summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public async Task<RevocationReport> RevokeAsync(StoredCredential credential, ClientIdentity client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (credential.RevocationEndpoint is null || !Uri.TryCreate(credential.RevocationEndpoint, UriKind.Absolute, out var endpoint))
        {
            return new(false, false, RevocationOutcome.NotSupported, null);
        }
        var method = credential.RevocationEndpointAuthMethod ?? credential.TokenEndpointAuthMethod ?? client.TokenEndpointAuthMethod;
        if (!CanAuthenticate(method, client))
        {
            return new(false, false, RevocationOutcome.NoClientCredentials, null);
        }
        var issuer = credential.Binding.Issuer;
        bool refreshRevoked = false;
        try
        {
            if (credential.Tokens.RefreshToken is { } refresh)
            {
                await RevokeOneAsync(endpoint, issuer, method, client, refresh, Revocation.RefreshTokenHint, credential.Tokens.AccessToken, cancellationToken)
                    .ConfigureAwait(false);
                refreshRevoked = true;
            }
            await RevokeOneAsync(endpoint, issuer, method, client, credential.Tokens.AccessToken, Revocation.AccessTokenHint, credential.Tokens.AccessToken,
                cancellationToken).ConfigureAwait(false);
            return new(refreshRevoked, true, RevocationOutcome.Revoked, null);
        }
        catch (McpAuthException e) when (refreshRevoked && e.OAuthError == "unsupported_token_type")
        {
            return new(true, false, RevocationOutcome.RefreshTokenOnly, e);
        }
        catch (McpAuthException e)
        {
            return new(refreshRevoked, false, RevocationOutcome.Failed, e);
        }
    }

    /// <summary>Whether the client can authenticate with <paramref name="method"/>: a secret, a signing key, or nothing to prove.</summary>
    private bool CanAuthenticate(string method, ClientIdentity client) => method switch
    {
        ClientAuthentication.None => true,
        ClientAuthentication.PrivateKeyJwt => assertions is not null,
        _ => client.ClientSecret is not null,
    };

    private async Task RevokeOneAsync(
        Uri endpoint, string issuer, string method, ClientIdentity client, string token, string hint, string bearer, CancellationToken ct)
    {
        var parameters = new List<KeyValuePair<string, string>>(Revocation.BuildParameters(token, hint));
        var assertion = method == ClientAuthentication.PrivateKeyJwt ? assertions!.Create(client.ClientId, issuer, time.GetUtcNow()) : null;
        var authorization = ClientAuthentication.Apply(method, client.ClientId, client.ClientSecret, parameters, assertion);
        var response = await SendAsync(endpoint, parameters, authorization, ct).ConfigureAwait(false);
        if (response.StatusCode == 401)
        {
            // Some servers authenticate revocation with the access token itself (RFC 6750 §2.1): one retry that way.
            response = await SendAsync(endpoint, Revocation.BuildParameters(token, hint), "Bearer " + bearer, ct).ConfigureAwait(false);
        }
        Revocation.ReadResponse(response);
    }

    private async Task<OAuthResponse> SendAsync(
        Uri endpoint, IEnumerable<KeyValuePair<string, string>> parameters, string? authorization, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(parameters) };
        request.Headers.Accept.ParseAdd("application/json");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        return await http.SendAsync(request, ct).ConfigureAwait(false);
    }
}
