using McpAuth.Diagnostics;
using McpAuth.Engine.Lifecycle;
using McpAuth.Protocol;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Engine;

/// <summary>A credential an authorization (or an import) just saved, with what its session keeps beside it.</summary>
/// <param name="Credential">The saved credential.</param>
/// <param name="Discovery">What discovery found for its server.</param>
/// <param name="Client">The client it was issued to.</param>
/// <param name="DPoP">Its DPoP key, when the tokens are bound (RFC 9449).</param>
internal sealed record Authorized(StoredCredential Credential, DiscoveryResult Discovery, ClientIdentity Client, IDPoPProofSigner? DPoP);

/// <summary>
/// Runs the grants that make a credential (authorization code with PKCE, client credentials, JWT bearer, enterprise
/// managed, device) for one discovered server, and hands every result to the one save,
/// <see cref="CredentialLifecycle.SaveAuthorizationAsync"/>. Holds no per-server state.
/// </summary>
internal sealed class Authorizer(EngineServices services)
{
    private McpAuthOptions Options => services.Options;

    /// <summary>Discovers the server's authorization server and records the result for a later process.</summary>
    public async Task<DiscoveryResult> DiscoverAsync(Uri server, AuthenticationChallenge? challenge, CancellationToken ct)
    {
        var canonical = ResourceUri.Canonicalize(server);
        var discovery = await services.Telemetry.RunAsync(McpAuthTelemetryNames.DiscoverySpan, canonical,
            () => services.Discovery.DiscoverAsync(server, challenge, ct)).ConfigureAwait(false);
        EngineLog.Discovered(services.Logger, discovery.Issuer, discovery.Resource);
        await services.Vault.SaveDiscoveryAsync(new DiscoveryRecord
        {
            Resource = canonical,
            ResourceMetadataUrl = discovery.ResourceMetadataUrl?.AbsoluteUri,
            Issuer = discovery.Issuer,
            BindingResource = discovery.Resource,
            DiscoveredAt = services.Time.GetUtcNow(),
        }, ct).ConfigureAwait(false);
        return discovery;
    }

    /// <summary>The scope to ask for: configured, else challenged, else what the metadata offers (MCP scope selection).</summary>
    public string? SelectScope(DiscoveryResult discovery, string? challengeScope) =>
        ScopeSelection.Select(Options.Authorization.Scope ?? challengeScope, discovery.ResourceMetadata?.ScopesSupported,
            discovery.AuthorizationServer.ScopesSupported, Options.Authorization.RequestRefreshToken);

    /// <summary>Authorizes with the configured grant; for the code grant, through <paramref name="interaction"/>.</summary>
    /// <exception cref="McpAuthException">Any step's typed error; <see cref="McpAuthErrorCode.InteractionRequired"/> without an interaction.</exception>
    public async Task<Authorized> AuthorizeAsync(
        DiscoveryResult discovery, string? scope, IAuthorizationInteraction? interaction, CancellationToken ct) =>
        Options.Grant.Kind switch
        {
            McpAuthGrant.AuthorizationCode => await CodeGrantAsync(discovery, scope, interaction, ct).ConfigureAwait(false),
            McpAuthGrant.ClientCredentials => await ClientCredentialsAsync(discovery, scope, ct).ConfigureAwait(false),
            _ => await AssertionGrantAsync(discovery, scope, ct).ConfigureAwait(false),
        };

    /// <summary>Resolves the client and builds the authorization URL of a code flow (OAuth 2.1 §4.1.1).</summary>
    public async Task<(Uri Url, PendingAuthorization Flow)> BeginCodeFlowAsync(DiscoveryResult discovery, string? scope, CancellationToken ct)
    {
        if (!discovery.AuthorizationServer.SupportsS256)
        {
            throw AuthorizationOptions.PkceNotSupported(discovery.Issuer);
        }
        var dpop = services.Grants.NewDPoPKey(discovery); // decided before a client is registered
        var client = await ResolveClientAsync(discovery, ct).ConfigureAwait(false);
        return services.CodeFlow.Begin(discovery, client, scope, Options.Client.RedirectUri, dpop);
    }

    /// <summary>
    /// Redeems the code of the callback's flow and saves the tokens; a refused client is forgotten. The flow's end
    /// (stored, or the error) is reported to whoever waits on it (the page a loopback listener shows).
    /// </summary>
    public Task<Authorized> CompleteCodeFlowAsync(Uri callbackUrl, CancellationToken ct)
    {
        var (flow, code) = services.CodeFlow.Accept(callbackUrl);
        return flow.FinishWithAsync(RedeemAsync(flow, code, ct));
    }

    private async Task<Authorized> RedeemAsync(PendingAuthorization flow, string code, CancellationToken ct)
    {
        try
        {
            var response = await services.CodeFlow.RedeemAsync(flow, code, ct).ConfigureAwait(false);
            return await SaveAsync(flow.Discovery, flow.Client, response, flow.DPoP, flow.Scope, "authorization_code", ct).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.InvalidClient)
        {
            await services.Identities.ForgetAsync(flow.Client, ct).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The device authorization grant (RFC 8628), sender-constrained like the code flow when the server supports DPoP.</summary>
    public async Task<Authorized> DeviceGrantAsync(
        DiscoveryResult discovery, string? scope, Func<DeviceAuthorizationResponse, CancellationToken, Task> show, CancellationToken ct)
    {
        var metadata = discovery.AuthorizationServer;
        if (metadata.DeviceAuthorizationEndpoint is null)
        {
            throw new McpAuthException(McpAuthErrorCode.DeviceAuthorizationNotSupported, metadata.Issuer);
        }
        var dpop = services.Grants.NewDPoPKey(discovery); // decided before the user is shown a code
        var client = await ResolveClientAsync(discovery, ct).ConfigureAwait(false);
        var device = await services.DeviceFlow.RequestAsync(metadata, client, scope, Options.Authorization.ResourceParameter(discovery.Resource), ct)
            .ConfigureAwait(false);
        await show(device, ct).ConfigureAwait(false);
        var response = await services.DeviceFlow.PollAsync(metadata, client, device, dpop, ct).ConfigureAwait(false);
        return await SaveAsync(discovery, client, response, dpop, scope, DeviceAuthorization.GrantType, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Saves tokens obtained elsewhere, bound like a login's (profile, resource, issuer, client id); a client secret is
    /// stored as a pre-registered registration so that refresh can authenticate.
    /// </summary>
    public async Task<Authorized> ImportAsync(DiscoveryResult discovery, ImportedTokens tokens, string profile, CancellationToken ct)
    {
        if (discovery.ResourceMetadata is { DPoPBoundAccessTokensRequired: true })
        {
            // Tokens from elsewhere come without the private key they may be bound to: stored, they would be refused.
            throw new McpAuthException(McpAuthErrorCode.DPoPNotSupported, "imported tokens are not bound to a key McpAuth holds; authorize instead")
            {
                Endpoint = discovery.ResourceMetadataUrl,
            };
        }
        var client = await ImportedClientAsync(discovery.AuthorizationServer, tokens, ct).ConfigureAwait(false);
        var credential = await services.Lifecycle.SaveAuthorizationAsync(new StoredCredential
        {
            Binding = new CredentialBinding(profile, discovery.Resource, discovery.Issuer, tokens.ClientId),
            Tokens = new TokenSet
            {
                AccessToken = tokens.AccessToken, RefreshToken = tokens.RefreshToken, ExpiresAt = tokens.ExpiresAt, Scope = tokens.Scope,
            },
            TokenEndpoint = (tokens.TokenEndpoint ?? discovery.AuthorizationServer.TokenEndpoint).AbsoluteUri,
            TokenEndpointAuthMethod = client.TokenEndpointAuthMethod,
            RevocationEndpoint = discovery.AuthorizationServer.RevocationEndpoint?.AbsoluteUri,
            RevocationEndpointAuthMethod = TokenRevocation.ChooseMethod(discovery.AuthorizationServer.RevocationEndpointAuthMethodsSupported, client),
        }, ct).ConfigureAwait(false);
        EngineLog.Imported(services.Logger, discovery.Resource, discovery.Issuer);
        return new Authorized(credential, discovery, client, null);
    }

    private async Task<Authorized> CodeGrantAsync(DiscoveryResult discovery, string? scope, IAuthorizationInteraction? interaction, CancellationToken ct)
    {
        if (interaction is null)
        {
            throw new McpAuthException(McpAuthErrorCode.InteractionRequired, "no authorization interaction configured");
        }
        var (url, flow) = await BeginCodeFlowAsync(discovery, scope, ct).ConfigureAwait(false);
        Uri callback;
        try
        {
            callback = await interaction.AuthorizeAsync(url, flow.RedirectUri, ct).ConfigureAwait(false);
        }
        catch (Exception) when (flow.Client.Source == "dcr")
        {
            // No callback: the server may have forgotten the client (shown only in the browser); the next login registers again.
            await services.Identities.DoubtAsync(flow.Client).ConfigureAwait(false);
            throw;
        }
        return await CompleteCodeFlowAsync(callback, ct).ConfigureAwait(false);
    }

    private async Task<Authorized> ClientCredentialsAsync(DiscoveryResult discovery, string? scope, CancellationToken ct)
    {
        var dpop = services.Grants.NewDPoPKey(discovery);
        var client = await ResolveClientAsync(discovery, ct).ConfigureAwait(false);
        var server = discovery.AuthorizationServer;
        var response = await services.Tokens.RequestAsync(server.TokenEndpoint, server.Issuer, client,
            TokenEndpointMessages.ClientCredentials(scope, Options.Authorization.ResourceParameter(discovery.Resource), Options.Authorization.Audience),
            dpop, ct).ConfigureAwait(false);
        return await SaveAsync(discovery, client, response, dpop, scope, "client_credentials", ct).ConfigureAwait(false);
    }

    private async Task<Authorized> AssertionGrantAsync(DiscoveryResult discovery, string? scope, CancellationToken ct)
    {
        var dpop = services.Grants.NewDPoPKey(discovery);
        var client = await ResolveClientAsync(discovery, ct).ConfigureAwait(false);
        var jwtBearer = Options.Grant.Kind == McpAuthGrant.JwtBearer;
        var parameters = jwtBearer
            ? await services.Grants.WorkloadParametersAsync(scope, Options.Authorization.ResourceParameter(discovery.Resource), ct).ConfigureAwait(false)
            : await services.Enterprise.ParametersAsync(discovery, scope, ct).ConfigureAwait(false);
        var server = discovery.AuthorizationServer;
        // RFC 7523: a refused assertion is final; never fall back to another grant.
        var response = jwtBearer
            ? await services.Tokens.RequestAsync(server.TokenEndpoint, server.Issuer, client, parameters, dpop, ct).ConfigureAwait(false)
            : await EnterpriseAuthorization.LegAsync(EnterpriseLeg.JwtBearerGrant,
                () => services.Tokens.RequestAsync(server.TokenEndpoint, server.Issuer, client, parameters, dpop, ct)).ConfigureAwait(false);
        return await SaveAsync(discovery, client, response, dpop, scope, GrantExtensions.JwtBearerGrantType, ct).ConfigureAwait(false);
    }

    private async Task<ClientIdentity> ResolveClientAsync(DiscoveryResult discovery, CancellationToken ct)
    {
        var client = await services.Telemetry.RunAsync(McpAuthTelemetryNames.RegistrationSpan, discovery.Issuer,
            () => services.Identities.ResolveAsync(discovery.AuthorizationServer, ct)).ConfigureAwait(false);
        EngineLog.ClientResolved(services.Logger, client.ClientId, client.Source, client.Issuer);
        return client;
    }

    /// <summary>Builds the credential of a token response and saves it through the lifecycle (the one save).</summary>
    private async Task<Authorized> SaveAsync(
        DiscoveryResult discovery, ClientIdentity client, TokenResponse response, IDPoPProofSigner? dpop, string? scope, string grant,
        CancellationToken ct)
    {
        var metadata = discovery.AuthorizationServer;
        var credential = await services.Lifecycle.SaveAuthorizationAsync(new StoredCredential
        {
            Binding = new CredentialBinding(Options.Profile, discovery.Resource, discovery.Issuer, client.ClientId),
            Tokens = response.ToTokenSet(services.Time.GetUtcNow(), null, scope),
            TokenEndpoint = metadata.TokenEndpoint.AbsoluteUri,
            TokenEndpointAuthMethod = client.TokenEndpointAuthMethod,
            RevocationEndpoint = metadata.RevocationEndpoint?.AbsoluteUri,
            RevocationEndpointAuthMethod = TokenRevocation.ChooseMethod(metadata.RevocationEndpointAuthMethodsSupported, client),
            DPoPPrivateJwk = dpop?.PrivateJwk,
        }, ct).ConfigureAwait(false);
        EngineLog.TokenObtained(services.Logger, credential.Tokens.TokenType, discovery.Resource, grant);
        return new Authorized(credential, discovery, client, dpop);
    }

    /// <summary>
    /// The identity imported tokens belong to. A client with a secret is kept as a pre-registered registration (so
    /// refresh can authenticate); a client whose redirect URI is known is kept under it, so a later login reuses it.
    /// </summary>
    private async Task<ClientIdentity> ImportedClientAsync(AuthorizationServerMetadata server, ImportedTokens tokens, CancellationToken ct)
    {
        var secret = tokens.ClientSecret;
        var method = secret is null
            ? ClientAuthentication.None
            : ClientAuthentication.Choose(server.TokenEndpointAuthMethodsSupported, hasSecret: true) ?? ClientAuthentication.ClientSecretBasic;
        // A client whose redirect URI is known came from another tool's dynamic registration (mcp-remote's): treated as
        // one McpAuth made, so a server that forgot it (invalid_client) makes the next login register again.
        var source = tokens.RedirectUri is not null ? "dcr" : secret is null ? "imported" : "preregistered";
        if (secret is not null || tokens.RedirectUri is not null)
        {
            await services.Vault.SaveRegistrationAsync(new StoredRegistration
            {
                Issuer = server.Issuer,
                RedirectUri = (tokens.RedirectUri ?? Options.Client.RedirectUri).OriginalString,
                ClientId = tokens.ClientId,
                ClientSecret = secret,
                TokenEndpointAuthMethod = method,
                Source = source,
                RegisteredAt = services.Time.GetUtcNow(),
            }, ct).ConfigureAwait(false);
        }
        return new ClientIdentity(server.Issuer, tokens.ClientId, secret, method, source);
    }
}
