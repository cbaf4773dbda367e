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
        var behind = new PendingWrites();
        try
        {
            var discovery = _options.Grant == McpAuthGrant.EnterpriseManaged
                ? await EnterpriseAuthorization.LegAsync(EnterpriseLeg.Discovery, () => DiscoverAsync(session, server, challenge, behind, ct)).ConfigureAwait(false)
                : await DiscoverAsync(session, server, challenge, behind, ct).ConfigureAwait(false);
            var scope = scopeOverride ?? SelectScope(discovery, challenge?.Scope ?? session.ChallengeScope);
            var token = _options.Grant switch
            {
                McpAuthGrant.AuthorizationCode => await CodeGrantAsync(discovery, scope, interaction, behind, ct).ConfigureAwait(false),
                McpAuthGrant.ClientCredentials => await ClientCredentialsAsync(session, discovery, scope, behind, ct).ConfigureAwait(false),
                _ => await AssertionGrantAsync(session, discovery, scope, behind, ct).ConfigureAwait(false),
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
        finally
        {
            // Empty after a success (the credential's save flushed it); after a failure, no write outlives the flow.
            await behind.SettleAsync(_logger).ConfigureAwait(false);
        }
    }

    /// <summary>Discovers the server's authorization server; its record is written before returning, or queued on
    /// <c>behind</c> when given.</summary>
    private async Task<DiscoveryResult> DiscoverAsync(
        ResourceSession session, Uri server, AuthenticationChallenge? challenge, PendingWrites? behind, CancellationToken ct)
    {
        var discovery = await Telemetry.RunAsync(McpAuthTelemetryNames.DiscoverySpan, ResourceUri.Canonicalize(server),
            () => _discovery.DiscoverAsync(server, challenge, ct)).ConfigureAwait(false);
        session.Discovery = discovery;
        if (challenge?.Scope is { } scope)
        {
            session.ChallengeScope = scope;
        }
        EngineLog.Discovered(_logger, discovery.Issuer, discovery.Resource);
        var record = new DiscoveryRecord
        {
            Resource = ResourceUri.Canonicalize(server),
            ResourceMetadataUrl = discovery.ResourceMetadataUrl?.AbsoluteUri,
            Issuer = discovery.Issuer,
            BindingResource = discovery.Resource,
            DiscoveredAt = _time.GetUtcNow(),
        };
        await PendingWrites.WriteOrQueueAsync(behind, token => _vault.SaveDiscoveryAsync(record, token), ct).ConfigureAwait(false);
        return discovery;
    }

    private string? SelectScope(DiscoveryResult discovery, string? challengeScope) =>
        ScopeSelection.Select(_options.Scope ?? challengeScope, discovery.ResourceMetadata?.ScopesSupported, discovery.AuthorizationServer.ScopesSupported,
            _options.RequestRefreshToken);

    private async Task<ClientIdentity> ResolveClientAsync(DiscoveryResult discovery, PendingWrites? behind, CancellationToken ct)
    {
        // session.Client changes only with the credential it belongs to (in StoreAsync).
        var client = await Telemetry.RunAsync(McpAuthTelemetryNames.RegistrationSpan, discovery.Issuer,
            () => _identities.ResolveAsync(discovery.AuthorizationServer, behind, ct)).ConfigureAwait(false);
        EngineLog.ClientResolved(_logger, client.ClientId, client.Source, client.Issuer);
        if (behind is not null)
        {
            behind.Add(() => ClaimIndexAsync(_options.Profile, ResourceUri.Canonicalize(discovery.Server), discovery.Issuer, client.ClientId, behind));
            behind.Add(() => ReadAheadForSaveAsync(new CredentialBinding(_options.Profile, discovery.Resource, discovery.Issuer, client.ClientId), behind));
        }
        return client;
    }

    private async Task<(Uri Url, PendingAuthorization Flow)> BeginCodeFlowAsync(
        DiscoveryResult discovery, string? scope, PendingWrites? behind, CancellationToken ct)
    {
        if (!discovery.AuthorizationServer.SupportsS256)
        {
            throw AuthorizationOptions.PkceNotSupported(discovery.Issuer);
        }
        var client = await ResolveClientAsync(discovery, behind, ct).ConfigureAwait(false);
        return _codeFlow.Begin(discovery, client, scope, _options.RedirectUri, _grants.NewDPoPKey(discovery.AuthorizationServer));
    }

    private async Task<AccessToken> CodeGrantAsync(
        DiscoveryResult discovery, string? scope, IAuthorizationInteraction? interaction, PendingWrites behind, CancellationToken ct)
    {
        if (interaction is null)
        {
            throw new McpAuthException(McpAuthErrorCode.InteractionRequired, "no authorization interaction configured");
        }
        var (url, flow) = await BeginCodeFlowAsync(discovery, scope, behind, ct).ConfigureAwait(false);
        Uri callback;
        try
        {
            callback = await interaction.AuthorizeAsync(url, flow.RedirectUri, ct).ConfigureAwait(false);
        }
        catch (Exception) when (flow.Client.Source == "dcr")
        {
            // No callback: the server may have forgotten the client (shown only in the browser); the next login registers again.
            await behind.SettleAsync(_logger).ConfigureAwait(false);
            await _identities.DoubtAsync(flow.Client).ConfigureAwait(false);
            throw;
        }
        return await CompleteCodeFlowAsync(callback, behind, ct).ConfigureAwait(false);
    }

    private async Task<AccessToken> ClientCredentialsAsync(
        ResourceSession session, DiscoveryResult discovery, string? scope, PendingWrites behind, CancellationToken ct)
    {
        var client = await ResolveClientAsync(discovery, behind, ct).ConfigureAwait(false);
        var dpop = _grants.NewDPoPKey(discovery.AuthorizationServer);
        var server = discovery.AuthorizationServer;
        var response = await PendingWrites.StartAfterSending(_tokens.RequestAsync(server.TokenEndpoint, server.Issuer, client,
            TokenEndpointMessages.ClientCredentials(scope, _options.Authorization.ResourceParameter(discovery.Resource), _options.Authorization.Audience),
            dpop, ct), behind).ConfigureAwait(false);
        session.Scope = scope;
        return await StoreAsync(session, discovery, client, response, dpop, scope, "client_credentials", behind, ct).ConfigureAwait(false);
    }

    private async Task<AccessToken> AssertionGrantAsync(
        ResourceSession session, DiscoveryResult discovery, string? scope, PendingWrites behind, CancellationToken ct)
    {
        var client = await ResolveClientAsync(discovery, behind, ct).ConfigureAwait(false);
        var dpop = _grants.NewDPoPKey(discovery.AuthorizationServer);
        behind.StartAll();
        var parameters = _options.Grant == McpAuthGrant.JwtBearer
            ? await _grants.WorkloadParametersAsync(scope, _options.Authorization.ResourceParameter(discovery.Resource), ct).ConfigureAwait(false)
            : await _enterprise.ParametersAsync(discovery, scope, ct).ConfigureAwait(false);
        var server = discovery.AuthorizationServer;
        // RFC 7523: a refused assertion is final; never fall back to another grant.
        var response = _options.Grant == McpAuthGrant.JwtBearer
            ? await _tokens.RequestAsync(server.TokenEndpoint, server.Issuer, client, parameters, dpop, ct).ConfigureAwait(false)
            : await EnterpriseAuthorization.LegAsync(EnterpriseLeg.JwtBearerGrant,
                () => _tokens.RequestAsync(server.TokenEndpoint, server.Issuer, client, parameters, dpop, ct)).ConfigureAwait(false);
        session.Scope = scope;
        return await StoreAsync(session, discovery, client, response, dpop, scope, GrantExtensions.JwtBearerGrantType, behind, ct)
            .ConfigureAwait(false);
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
        var discovery = await DiscoverAsync(session, server, null, behind: null, ct).ConfigureAwait(false);
        return discovery.Issuer == credential.Binding.Issuer && discovery.Resource == credential.Binding.Resource;
    }
}
