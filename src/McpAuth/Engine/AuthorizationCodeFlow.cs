using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>The authorization code grant with PKCE S256, state, RFC 8707 resource and RFC 9207 iss (OAuth 2.1 §4.1).</summary>
internal sealed class AuthorizationCodeFlow(PendingFlowRegistry pending, McpAuthOptions options, TokenEndpoint tokens, TimeProvider time)
{
    /// <summary>Builds the authorization URL and records the pending flow.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.PkceNotSupported"/>, <see cref="McpAuthErrorCode.AuthorizationServerMetadataNotFound"/>
    /// (no authorization endpoint), <see cref="McpAuthErrorCode.TooManyPendingFlows"/>.
    /// </exception>
    public (Uri Url, PendingAuthorization Flow) Begin(
        DiscoveryResult discovery, ClientIdentity client, string? scope, Uri redirectUri, IDPoPProofSigner? dpop)
    {
        var server = discovery.AuthorizationServer;
        if (!server.SupportsS256)
        {
            throw AuthorizationOptions.PkceNotSupported(server.Issuer);
        }
        var endpoint = server.AuthorizationEndpoint
            ?? throw new McpAuthException(McpAuthErrorCode.AuthorizationServerMetadataNotFound, "no authorization_endpoint");
        var pkce = Pkce.Create();
        var state = AuthorizationRequest.CreateState();
        var url = AuthorizationRequest.BuildUri(endpoint, new AuthorizationRequestParameters
        {
            ClientId = client.ClientId,
            RedirectUri = redirectUri,
            State = state,
            CodeChallenge = pkce.Challenge,
            Scope = scope,
            Resource = options.Authorization.ResourceParameter(discovery.Resource),
            Extra = options.Authorization.AuthorizeExtras(),
        });
        var flow = new PendingAuthorization(state, options.Profile, pkce, discovery, client, scope, redirectUri, dpop, time.GetUtcNow());
        pending.Add(flow, options.Authorization.MaxPendingFlows);
        return (url, flow);
    }

    /// <summary>Takes the pending flow of the callback's state and validates the callback (state, iss, error, code).</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/>, <see cref="McpAuthErrorCode.FlowExpired"/>,
    /// <see cref="McpAuthErrorCode.AuthorizationResponseIssuerMismatch"/>, <see cref="McpAuthErrorCode.AuthorizationDenied"/>,
    /// <see cref="McpAuthErrorCode.MissingAuthorizationCode"/>.
    /// </exception>
    public (PendingAuthorization Flow, string Code) Accept(Uri callbackUrl)
    {
        var callback = AuthorizationResponse.Parse(callbackUrl);
        var flow = pending.Take(callback.State, options.Profile);
        var server = flow.Discovery.AuthorizationServer;
        try
        {
            return (flow, AuthorizationResponse.Validate(callback, flow.State, server.Issuer, server.AuthorizationResponseIssParameterSupported));
        }
        catch (McpAuthException e)
        {
            flow.Fail(e);
            throw;
        }
    }

    /// <summary>
    /// Redeems the code with the PKCE verifier and the RFC 8707 resource (RFC 6749 §4.1.3, RFC 7636 §4.5), as
    /// <see cref="AuthorizationOptions"/> chooses it, and the audience when one is set.
    /// </summary>
    /// <exception cref="McpAuthException">Token endpoint errors.</exception>
    public Task<TokenResponse> RedeemAsync(PendingAuthorization flow, string code, CancellationToken cancellationToken)
    {
        var server = flow.Discovery.AuthorizationServer;
        var parameters = TokenEndpointMessages.AuthorizationCode(code, flow.RedirectUri, flow.Pkce.Verifier,
            options.Authorization.ResourceParameter(flow.Discovery.Resource), options.Authorization.Audience);
        return tokens.RequestAsync(server.TokenEndpoint, server.Issuer, flow.Client, parameters, flow.DPoP, cancellationToken);
    }
}
