using System.Collections.Concurrent;
using McpAuth.Http;
using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>Creates DPoP proofs (RFC 9449 §4) with one key pair.</summary>
internal interface IDPoPProofSigner
{
    /// <summary>The private key as a JWK, for storage with the tokens it binds. Secret.</summary>
    string PrivateJwk { get; }

    /// <summary>A fresh proof for one request; <paramref name="accessToken"/> adds <c>ath</c> (RFC 9449 §4.2).</summary>
    string CreateProof(string method, Uri target, DateTimeOffset now, string? nonce, string? accessToken);
}

/// <summary>Creates <c>private_key_jwt</c> client assertions (RFC 7523 §2.2).</summary>
internal interface IClientAssertionFactory
{
    string Create(string clientId, string audience, DateTimeOffset now);
}

/// <summary>
/// Sends token requests (RFC 6749 §3.2) with the client's authentication, an optional DPoP proof, and one retry with
/// the server's nonce after <c>use_dpop_nonce</c> (RFC 9449 §8). Remembers the latest nonce per token endpoint.
/// </summary>
internal sealed class TokenEndpoint(
    OAuthHttpClient http, TimeProvider time, IClientAssertionFactory? assertions, Diagnostics.McpAuthTelemetry? telemetry = null)
{
    private readonly ConcurrentDictionary<Uri, string> _nonces = new();

    /// <exception cref="McpAuthException">The classified token endpoint error, or transport errors.</exception>
    public Task<TokenResponse> RequestAsync(
        Uri endpoint, string audience, ClientIdentity client, IReadOnlyList<KeyValuePair<string, string>> parameters,
        IDPoPProofSigner? dpop, CancellationToken cancellationToken) =>
        telemetry is null
            ? RequestCoreAsync(endpoint, audience, client, parameters, dpop, cancellationToken)
            : telemetry.RunAsync(Diagnostics.McpAuthTelemetryNames.TokenSpan, endpoint.AbsoluteUri,
                () => RequestCoreAsync(endpoint, audience, client, parameters, dpop, cancellationToken));

    /// <summary>Sends a token request with the client's authentication and returns the raw response (RFC 8693 exchanges).</summary>
    public Task<OAuthResponse> SendAsync(
        Uri endpoint, string audience, ClientIdentity client, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken) =>
        SendAsync(endpoint, audience, client, parameters, null, cancellationToken);

    /// <summary>
    /// Sends one token request, with a DPoP proof (RFC 9449) carrying the last nonce this endpoint gave when
    /// <paramref name="dpop"/> is set, and remembers the nonce the response brings. The caller reads the response.
    /// </summary>
    public async Task<OAuthResponse> SendAsync(
        Uri endpoint, string audience, ClientIdentity client, IReadOnlyList<KeyValuePair<string, string>> parameters, IDPoPProofSigner? dpop,
        CancellationToken cancellationToken)
    {
        string? nonce = null;
        if (dpop is not null)
        {
            _nonces.TryGetValue(endpoint, out nonce);
        }
        using var request = Build(endpoint, audience, client, parameters, dpop, nonce);
        var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (dpop is not null && response.DPoPNonce is { } fresh)
        {
            _nonces[endpoint] = fresh;
        }
        return response;
    }

    /// <summary>RFC 9449 §8: the server asked for a nonce it has just supplied; the request may be sent again once.</summary>
    public static bool AsksForNonce(McpAuthException error, OAuthResponse response, IDPoPProofSigner? dpop) =>
        dpop is not null && error.OAuthError == "use_dpop_nonce" && response.DPoPNonce is not null;

    private async Task<TokenResponse> RequestCoreAsync(
        Uri endpoint, string audience, ClientIdentity client, IReadOnlyList<KeyValuePair<string, string>> parameters,
        IDPoPProofSigner? dpop, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await SendAsync(endpoint, audience, client, parameters, dpop, cancellationToken).ConfigureAwait(false);
            try
            {
                return TokenEndpointMessages.Read(response);
            }
            catch (McpAuthException e) when (attempt == 0 && AsksForNonce(e, response, dpop))
            {
                // RFC 9449 §8: retry once with the nonce the server supplied.
            }
        }
    }

    /// <summary>Sends a token request to a server other than the MCP authorization server (an IdP), no DPoP.</summary>
    public async Task<OAuthResponse> SendRawAsync(Uri endpoint, IReadOnlyList<KeyValuePair<string, string>> parameters, string? authorization,
        CancellationToken cancellationToken)
    {
        using var request = Form(endpoint, parameters);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage Build(
        Uri endpoint, string audience, ClientIdentity client, IReadOnlyList<KeyValuePair<string, string>> parameters,
        IDPoPProofSigner? dpop, string? nonce)
    {
        var now = time.GetUtcNow();
        var body = new List<KeyValuePair<string, string>>(parameters);
        string? assertion = null;
        if (client.TokenEndpointAuthMethod == ClientAuthentication.PrivateKeyJwt)
        {
            assertion = (assertions ?? throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, "private_key_jwt needs a client key"))
                .Create(client.ClientId, audience, now);
        }
        var authorization = ClientAuthentication.Apply(client.TokenEndpointAuthMethod, client.ClientId, client.ClientSecret, body, assertion);
        var request = Form(endpoint, body);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        if (dpop is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", dpop.CreateProof("POST", endpoint, now, nonce, null));
        }
        return request;
    }

    private static HttpRequestMessage Form(Uri endpoint, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(parameters) };
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }
}
