using McpAuth.Diagnostics;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Engine;

public sealed partial class McpAuthClient
{
    private async Task<AccessToken> AuthorizeCoreAsync(
        ResourceSession session, Uri server, AuthenticationChallenge? challenge, string? scopeOverride,
        IAuthorizationInteraction? interaction, CancellationToken ct)
    {
        using var step = Telemetry.Start(McpAuthTelemetryNames.AuthorizationSpan, ResourceUri.Canonicalize(server));
        step.Grant = _options.Grant.ToString();
        try
        {
            var discovery = _options.Grant == McpAuthGrant.EnterpriseManaged
                ? await EnterpriseAuthorization.LegAsync(EnterpriseLeg.Discovery, () => DiscoverAsync(session, server, challenge, ct)).ConfigureAwait(false)
                : await DiscoverAsync(session, server, challenge, ct).ConfigureAwait(false);
            var scope = scopeOverride ?? SelectScope(discovery, challenge?.Scope ?? session.ChallengeScope);
            var token = _options.Grant switch
            {
                McpAuthGrant.AuthorizationCode => await CodeGrantAsync(session, discovery, scope, interaction, ct).ConfigureAwait(false),
                McpAuthGrant.ClientCredentials => await ClientCredentialsAsync(session, discovery, scope, ct).ConfigureAwait(false),
                _ => await AssertionGrantAsync(session, discovery, scope, ct).ConfigureAwait(false),
            };
            step.Succeeded();
            return token;
        }
        catch (McpAuthException e)
        {
            step.Failed(e.Code);
            EngineLog.AuthorizationFailed(_logger, ResourceUri.Canonicalize(server), e.Code);
            throw;
        }
    }

    private async Task<DiscoveryResult> DiscoverAsync(ResourceSession session, Uri server, AuthenticationChallenge? challenge, CancellationToken ct)
    {
        var discovery = await Telemetry.RunAsync(McpAuthTelemetryNames.DiscoverySpan, ResourceUri.Canonicalize(server),
            () => _discovery.DiscoverAsync(server, challenge, ct)).ConfigureAwait(false);
        session.Discovery = discovery;
        if (challenge?.Scope is { } scope)
        {
            session.ChallengeScope = scope;
        }
        EngineLog.Discovered(_logger, discovery.Issuer, discovery.Resource);
        await _vault.SaveDiscoveryAsync(new DiscoveryRecord
        {
            Resource = ResourceUri.Canonicalize(server),
            ResourceMetadataUrl = discovery.ResourceMetadataUrl?.AbsoluteUri,
            Issuer = discovery.Issuer,
            BindingResource = discovery.Resource,
            DiscoveredAt = _time.GetUtcNow(),
        }, ct).ConfigureAwait(false);
        return discovery;
    }

    private string? SelectScope(DiscoveryResult discovery, string? challengeScope) =>
        ScopeSelection.Select(_options.Scope ?? challengeScope, discovery.ResourceMetadata?.ScopesSupported, discovery.AuthorizationServer.ScopesSupported,
            _options.RequestRefreshToken);

    private async Task<ClientIdentity> ResolveClientAsync(DiscoveryResult discovery, CancellationToken ct)
    {
        // session.Client changes only with the credential it belongs to (in StoreAsync).
        var client = await Telemetry.RunAsync(McpAuthTelemetryNames.RegistrationSpan, discovery.Issuer,
            () => _identities.ResolveAsync(discovery.AuthorizationServer, ct)).ConfigureAwait(false);
        EngineLog.ClientResolved(_logger, client.ClientId, client.Source, client.Issuer);
        return client;
    }

    private async Task<(Uri Url, PendingAuthorization Flow)> BeginCodeFlowAsync(
        ResourceSession session, DiscoveryResult discovery, string? scope, CancellationToken ct)
    {
        if (!discovery.AuthorizationServer.SupportsS256)
        {
            throw new McpAuthException(McpAuthErrorCode.PkceNotSupported, discovery.Issuer);
        }
        var client = await ResolveClientAsync(discovery, ct).ConfigureAwait(false);
        return _codeFlow.Begin(discovery, client, scope, _options.RedirectUri, _grants.NewDPoPKey(discovery.AuthorizationServer));
    }

    private async Task<AccessToken> CodeGrantAsync(
        ResourceSession session, DiscoveryResult discovery, string? scope, IAuthorizationInteraction? interaction, CancellationToken ct)
    {
        if (interaction is null)
        {
            throw new McpAuthException(McpAuthErrorCode.InteractionRequired, "no authorization interaction configured");
        }
        var (url, flow) = await BeginCodeFlowAsync(session, discovery, scope, ct).ConfigureAwait(false);
        var callback = await interaction.AuthorizeAsync(url, flow.RedirectUri, ct).ConfigureAwait(false);
        return await CompleteAuthorizationAsync(callback, ct).ConfigureAwait(false);
    }

    private async Task<AccessToken> ClientCredentialsAsync(ResourceSession session, DiscoveryResult discovery, string? scope, CancellationToken ct)
    {
        var client = await ResolveClientAsync(discovery, ct).ConfigureAwait(false);
        var dpop = _grants.NewDPoPKey(discovery.AuthorizationServer);
        var server = discovery.AuthorizationServer;
        var response = await _tokens.RequestAsync(server.TokenEndpoint, server.Issuer, client,
            TokenEndpointMessages.ClientCredentials(scope, discovery.Resource), dpop, ct).ConfigureAwait(false);
        session.Scope = scope;
        return await StoreAsync(session, discovery, client, response, dpop, scope, "client_credentials", ct).ConfigureAwait(false);
    }

    private async Task<AccessToken> AssertionGrantAsync(ResourceSession session, DiscoveryResult discovery, string? scope, CancellationToken ct)
    {
        var client = await ResolveClientAsync(discovery, ct).ConfigureAwait(false);
        var dpop = _grants.NewDPoPKey(discovery.AuthorizationServer);
        var parameters = _options.Grant == McpAuthGrant.JwtBearer
            ? await _grants.WorkloadParametersAsync(scope, discovery.Resource, ct).ConfigureAwait(false)
            : await _enterprise.ParametersAsync(discovery, scope, ct).ConfigureAwait(false);
        var server = discovery.AuthorizationServer;
        // RFC 7523: a refused assertion is final; never fall back to another grant.
        var response = _options.Grant == McpAuthGrant.JwtBearer
            ? await _tokens.RequestAsync(server.TokenEndpoint, server.Issuer, client, parameters, dpop, ct).ConfigureAwait(false)
            : await EnterpriseAuthorization.LegAsync(EnterpriseLeg.JwtBearerGrant,
                () => _tokens.RequestAsync(server.TokenEndpoint, server.Issuer, client, parameters, dpop, ct)).ConfigureAwait(false);
        session.Scope = scope;
        return await StoreAsync(session, discovery, client, response, dpop, scope, GrantExtensions.JwtBearerGrantType, ct).ConfigureAwait(false);
    }

    private async Task<AccessToken> StoreAsync(
        ResourceSession session, DiscoveryResult discovery, ClientIdentity client, TokenResponse response, IDPoPProofSigner? dpop,
        string? scope, string grant, CancellationToken ct)
    {
        var binding = new CredentialBinding(_options.Profile, discovery.Resource, discovery.Issuer, client.ClientId);
        var previous = await _vault.GetCredentialAsync(binding, ct).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var credential = new StoredCredential
        {
            Binding = binding,
            Tokens = response.ToTokenSet(now, null, scope),
            TokenEndpoint = discovery.AuthorizationServer.TokenEndpoint.AbsoluteUri,
            TokenEndpointAuthMethod = client.TokenEndpointAuthMethod,
            RevocationEndpoint = discovery.AuthorizationServer.RevocationEndpoint?.AbsoluteUri,
            RevocationEndpointAuthMethod = TokenRevocation.ChooseMethod(discovery.AuthorizationServer.RevocationEndpointAuthMethodsSupported, client),
            DPoPPrivateJwk = dpop?.PrivateJwk,
            Generation = (previous?.Generation ?? 0) + 1,
            UpdatedAt = now,
        };
        await _vault.SaveCredentialAsync(credential, ct).ConfigureAwait(false);
        await _vault.SetActiveClientIdAsync(_options.Profile, ResourceUri.Canonicalize(discovery.Server), discovery.Issuer, client.ClientId, ct)
            .ConfigureAwait(false);
        Refresher.Remember(credential);
        session.Credential = credential;
        session.DPoP = dpop;
        session.Client = client;
        EngineLog.TokenObtained(_logger, credential.Tokens.TokenType, discovery.Resource, grant);
        return ToAccessToken(credential, dpop);
    }

    /// <summary>
    /// Loads a credential stored by an earlier process with no network request: the discovery record of the server
    /// (keyed by its canonical URL) names the issuer and the published resource, the active-client index the client.
    /// Discovery runs again only when a 401 says the stored token no longer works.
    /// </summary>
    private async Task<bool> LoadStoredAsync(ResourceSession session, Uri server, CancellationToken ct)
    {
        if (await FindStoredAsync(server, ct).ConfigureAwait(false) is not { } credential)
        {
            return false;
        }
        var client = await _identities.FromStoredAsync(credential, ct).ConfigureAwait(false);
        if (_options.Client is { } configured && (configured.Issuer is null || configured.Issuer == credential.Binding.Issuer)
            && configured.ClientId != client.ClientId)
        {
            // The configured client changed since the login: that login is not this client's.
            return false;
        }
        Refresher.Remember(credential);
        session.Client = client;
        session.Credential = credential;
        session.Scope = credential.Tokens.Scope;
        session.DPoP = credential.DPoPPrivateJwk is { } jwk ? _grants.DPoPKeyFromJwk(jwk) : null;
        return true;
    }

    /// <summary>The stored credential of this profile's active client for <paramref name="server"/>, read without the network.</summary>
    private async Task<StoredCredential?> FindStoredAsync(Uri server, CancellationToken ct)
    {
        var canonical = ResourceUri.Canonicalize(server);
        if (await _vault.GetDiscoveryAsync(canonical, ct).ConfigureAwait(false) is not { } record)
        {
            return null;
        }
        var clientId = await _vault.GetActiveClientIdAsync(_options.Profile, canonical, record.Issuer, ct).ConfigureAwait(false);
        if (clientId is null)
        {
            return null;
        }
        var binding = new CredentialBinding(_options.Profile, record.BindingResource ?? canonical, record.Issuer, clientId);
        var credential = await _vault.GetCredentialAsync(binding, ct).ConfigureAwait(false);
        return credential is { State: not CredentialState.NeedsReauthorization } ? credential : null;
    }

    /// <summary>
    /// Before the first refresh of a credential loaded without discovery (a new process), checks that the server is
    /// still served by the issuer and resource the credential is bound to: a refresh token is only ever used for the
    /// binding it was issued in. Once per session; a changed binding means a new login. It runs under the refresh lock,
    /// only in the caller that is about to refresh: processes that find the refresh already done by another skip it.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.LoginRequired"/> when the binding changed.</exception>
    private Func<CancellationToken, Task> BindingCheck(ResourceSession session, Uri server, StoredCredential credential) => async ct =>
    {
        if (!await StillBoundAsync(session, server, credential, ct).ConfigureAwait(false))
        {
            throw new McpAuthException(McpAuthErrorCode.LoginRequired, "the server is now served by another authorization server or resource");
        }
    };

    private async Task<bool> StillBoundAsync(ResourceSession session, Uri server, StoredCredential credential, CancellationToken ct)
    {
        if (session.Discovery is not null)
        {
            return true;
        }
        var discovery = await DiscoverAsync(session, server, null, ct).ConfigureAwait(false);
        return discovery.Issuer == credential.Binding.Issuer && discovery.Resource == credential.Binding.Resource;
    }
}
