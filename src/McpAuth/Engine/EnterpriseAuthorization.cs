using McpAuth.Protocol;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Engine;

/// <summary>
/// Enterprise-managed authorization (ID-JAG, draft-ietf-oauth-identity-assertion-authz-grant): one OpenID login at the
/// enterprise IdP, its ID token kept in the vault per IdP issuer and reused for every MCP server, exchanged at the IdP
/// for an ID-JAG per server (RFC 8693 §2.1), which the engine then presents with the JWT bearer grant (RFC 7523 §2.1).
/// The cached ID token is deleted only when the IdP rejects it (<c>invalid_grant</c>).
/// </summary>
internal sealed class EnterpriseAuthorization(McpAuthOptions options, TokenVault vault, TokenEndpoint tokens, TimeProvider time, ILogger logger)
{
    /// <summary>Runs one leg and tags its error with the leg.</summary>
    /// <exception cref="EnterpriseAuthorizationException">The leg's error, tagged.</exception>
    public static async Task<T> LegAsync<T>(EnterpriseLeg leg, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e is not EnterpriseAuthorizationException)
        {
            throw new EnterpriseAuthorizationException(leg, e);
        }
    }

    /// <summary>The JWT bearer grant parameters carrying a fresh ID-JAG for <paramref name="discovery"/>'s resource.</summary>
    /// <exception cref="EnterpriseAuthorizationException">
    /// <see cref="EnterpriseLeg.IdpLogin"/> or <see cref="EnterpriseLeg.TokenExchange"/> with the classified error;
    /// <see cref="McpAuthErrorCode.InvalidResponse"/> when the IdP issued something other than an ID-JAG.
    /// </exception>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> ParametersAsync(DiscoveryResult discovery, string? scope, CancellationToken ct)
    {
        var idp = options.Grant.Enterprise ?? throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(GrantOptions.Enterprise));
        var (idToken, cached) = await IdTokenAsync(idp, forceLogin: false, ct).ConfigureAwait(false);
        try
        {
            return await LegAsync(EnterpriseLeg.TokenExchange, () => ExchangeAsync(idp, idToken, discovery, scope, ct)).ConfigureAwait(false);
        }
        catch (EnterpriseAuthorizationException e) when (e.IdTokenRejected)
        {
            await vault.DeleteIdentityTokenAsync(options.Profile, idp.IdpIssuer, ct).ConfigureAwait(false);
            EnterpriseLog.IdTokenRejected(logger, idp.IdpIssuer, cached);
            if (!cached)
            {
                throw;
            }
        }
        // The cached ID token was refused (revoked, or expired early): log in once more.
        (idToken, _) = await IdTokenAsync(idp, forceLogin: true, ct).ConfigureAwait(false);
        try
        {
            return await LegAsync(EnterpriseLeg.TokenExchange, () => ExchangeAsync(idp, idToken, discovery, scope, ct)).ConfigureAwait(false);
        }
        catch (EnterpriseAuthorizationException e) when (e.IdTokenRejected)
        {
            await vault.DeleteIdentityTokenAsync(options.Profile, idp.IdpIssuer, ct).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The cached ID token when it is not about to expire; else a new login, saved.</summary>
    private async Task<(string IdToken, bool Cached)> IdTokenAsync(EnterpriseIdentityOptions idp, bool forceLogin, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!forceLogin && await vault.GetIdentityTokenAsync(options.Profile, idp.IdpIssuer, ct).ConfigureAwait(false) is { } record
            && (record.ExpiresAt is null || record.ExpiresAt.Value - options.Refresh.Skew > now))
        {
            return (record.IdToken, true);
        }
        var idToken = await LegAsync(EnterpriseLeg.IdpLogin, async () =>
        {
            try
            {
                return await idp.IdToken(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not McpAuthException and not OperationCanceledException)
            {
                throw new McpAuthException(McpAuthErrorCode.LoginRequired, "IdP login failed", e);
            }
        }).ConfigureAwait(false);
        if (string.IsNullOrEmpty(idToken))
        {
            throw new EnterpriseAuthorizationException(EnterpriseLeg.IdpLogin, new McpAuthException(McpAuthErrorCode.LoginRequired, "IdP login returned no ID token"));
        }
        await vault.SaveIdentityTokenAsync(new IdentityTokenRecord(options.Profile, idp.IdpIssuer, idToken, UnverifiedJwt.ReadExpiry(idToken)), ct)
            .ConfigureAwait(false);
        EnterpriseLog.LoggedIn(logger, idp.IdpIssuer);
        return (idToken, false);
    }

    private async Task<IReadOnlyList<KeyValuePair<string, string>>> ExchangeAsync(
        EnterpriseIdentityOptions idp, string idToken, DiscoveryResult discovery, string? scope, CancellationToken ct)
    {
        var parameters = new List<KeyValuePair<string, string>>(TokenExchange.BuildParameters(new TokenExchangeRequest(
            idToken, TokenExchange.IdTokenType, RequestedTokenType: TokenExchange.IdJagTokenType, Audience: discovery.Issuer,
            Resource: discovery.Resource, Scope: scope)));
        var method = idp.ClientSecret is null ? ClientAuthentication.None : ClientAuthentication.ClientSecretBasic;
        var authorization = ClientAuthentication.Apply(method, idp.ClientId, idp.ClientSecret, parameters);
        var response = TokenExchange.ReadResponse(await tokens.SendRawAsync(idp.TokenEndpoint, parameters, authorization, ct).ConfigureAwait(false));
        if (response.IssuedTokenType != TokenExchange.IdJagTokenType)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidResponse, "token exchange did not issue an ID-JAG") { Endpoint = idp.TokenEndpoint };
        }
        return JwtBearerGrant.BuildParameters(response.AccessToken, scope, discovery.Resource);
    }
}

internal static partial class EnterpriseLog
{
    [LoggerMessage(40, LogLevel.Information, "Logged in at enterprise IdP {IdpIssuer}")]
    public static partial void LoggedIn(ILogger logger, string idpIssuer);

    [LoggerMessage(41, LogLevel.Warning, "Enterprise IdP {IdpIssuer} rejected the ID token (cached: {Cached}); it was deleted")]
    public static partial void IdTokenRejected(ILogger logger, string idpIssuer, bool cached);
}
