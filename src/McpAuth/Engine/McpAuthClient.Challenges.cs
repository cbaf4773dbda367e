using McpAuth.Protocol;

namespace McpAuth.Engine;

public sealed partial class McpAuthClient
{
    /// <summary>
    /// Answers a 401: when another request already replaced the rejected token, returns the new one; else refreshes
    /// when possible; else discovers again (the resource may have moved to another authorization server) and authorizes.
    /// </summary>
    internal async Task<AccessToken> ReauthorizeAsync(
        Uri server, AuthenticationChallenge? challenge, AccessToken? rejected, IAuthorizationInteraction? interaction, CancellationToken ct)
    {
        var session = Session(server);
        await session.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (session.Credential is { } current && current.Tokens.AccessToken != rejected?.Value)
            {
                return ToAccessToken(current, session.DPoP);
            }
            if (rejected is not null && session.Credential is { Tokens.RefreshToken: not null } stored)
            {
                var client = await ClientOfAsync(session, stored, ct).ConfigureAwait(false);
                try
                {
                    session.Credential = await RefreshTracedAsync(stored, client, session.DPoP, rejected.Value, BindingCheck(session, server, stored), ct)
                        .ConfigureAwait(false);
                    if (session.Credential.Tokens.AccessToken != rejected.Value)
                    {
                        return ToAccessToken(session.Credential, session.DPoP);
                    }
                }
                catch (McpAuthException e) when (!e.IsTransient)
                {
                    // The refresh token is gone or refused: authorize again below, registering again if the server
                    // forgot the client.
                    if (e.Code == McpAuthErrorCode.InvalidClient)
                    {
                        await _identities.ForgetAsync(client, ct).ConfigureAwait(false);
                    }
                }
            }
            return await AuthorizeCoreAsync(session, server, challenge, null, interaction, ct).ConfigureAwait(false);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>
    /// Answers a 403 <c>insufficient_scope</c>: authorizes again with the union of the scopes asked for before and
    /// the challenged ones (a refresh cannot widen scope), at most <see cref="McpAuthOptions.MaxStepUpAttempts"/> times
    /// in a row.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StepUpLimitExceeded"/>; authorization errors.</exception>
    internal async Task<AccessToken> StepUpAsync(
        Uri server, AuthenticationChallenge challenge, AccessToken? rejected, IAuthorizationInteraction? interaction, CancellationToken ct)
    {
        var session = Session(server);
        await session.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (session.Credential is { } current && current.Tokens.AccessToken != rejected?.Value
                && ScopeSelection.Contains(current.Tokens.Scope, challenge.Scope))
            {
                return ToAccessToken(current, session.DPoP);
            }
            if (++session.StepUps > _options.MaxStepUpAttempts)
            {
                throw new McpAuthException(McpAuthErrorCode.StepUpLimitExceeded, ResourceUri.Canonicalize(server)) { StatusCode = 403 };
            }
            EngineLog.SteppingUp(_logger, ResourceUri.Canonicalize(server), session.StepUps);
            var scope = ScopeSelection.Union(session.Scope, challenge.Scope);
            return await AuthorizeCoreAsync(session, server, challenge, scope, interaction, ct).ConfigureAwait(false);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>A request with the current token succeeded: the step-up budget starts again.</summary>
    internal void RequestSucceeded(Uri server) => Session(server).StepUps = 0;

    /// <summary>Remembers the resource server's DPoP nonce (RFC 9449 §9).</summary>
    internal void SetResourceNonce(Uri server, string nonce) => Session(server).ResourceNonce = nonce;

    /// <summary>A fresh DPoP proof for one MCP request with <paramref name="token"/> (RFC 9449 §7.1): <c>ath</c> and the latest nonce.</summary>
    internal string? CreateResourceProof(Uri server, AccessToken token, HttpMethod method, Uri target)
    {
        if (!token.IsDPoP)
        {
            return null;
        }
        var htu = new UriBuilder(target) { Query = string.Empty, Fragment = string.Empty }.Uri;
        return token.DPoP!.CreateProof(method.Method, htu, _time.GetUtcNow(), Session(server).ResourceNonce, token.Value);
    }
}
