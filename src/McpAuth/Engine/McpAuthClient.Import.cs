using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Engine;

/// <summary>Tokens obtained elsewhere (an older store, another tool), to bring under McpAuth's care. Secret: ToString hides them.</summary>
/// <param name="AccessToken">The access token.</param>
/// <param name="ClientId">The client id the tokens were issued to.</param>
public sealed record ImportedTokens(string AccessToken, string ClientId)
{
    /// <summary>The refresh token, when there is one.</summary>
    public string? RefreshToken { get; init; }

    /// <summary>When the access token expires; null when unknown (then it is used until a 401).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The client secret, for a confidential client; stored as a pre-registered registration so refresh can authenticate.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>A token endpoint to use instead of the one the authorization server metadata names.</summary>
    public Uri? TokenEndpoint { get; init; }

    /// <summary>The granted scope, when known.</summary>
    public string? Scope { get; init; }

    /// <summary>The profile to store under; null for <see cref="McpAuthOptions.Profile"/>.</summary>
    public string? Profile { get; init; }

    /// <summary>Never prints the tokens.</summary>
    public override string ToString() => $"ImportedTokens {{ ClientId = {ClientId}, ExpiresAt = {ExpiresAt}, Profile = {Profile} }}";
}

public sealed partial class McpAuthClient
{
    /// <summary>
    /// Stores tokens obtained elsewhere, bound exactly as a fresh login would be: discovery (RFC 9728, RFC 8414) finds
    /// the resource and issuer; the binding is (profile, resource, issuer, client id); the client becomes the active
    /// one, so <see cref="GetAccessTokenAsync"/> and a new process use the tokens and refresh them.
    /// </summary>
    /// <returns>The stored credential.</returns>
    /// <exception cref="McpAuthException">
    /// Discovery errors (<see cref="McpAuthErrorCode.ResourceMismatch"/>, <see cref="McpAuthErrorCode.AuthorizationServerMetadataNotFound"/>...),
    /// <see cref="McpAuthErrorCode.InsecureEndpoint"/> for a token endpoint override, store errors.
    /// </exception>
    public async Task<StoredCredential> ImportAsync(Uri server, ImportedTokens tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentException.ThrowIfNullOrEmpty(tokens.AccessToken);
        ArgumentException.ThrowIfNullOrEmpty(tokens.ClientId);
        if (tokens.TokenEndpoint is { } overridden)
        {
            EndpointPolicy.Validate(overridden, _options.Http.DangerouslyAllowLinkLocalAddresses);
        }
        var profile = tokens.Profile ?? _options.Profile;
        var session = Session(server);
        await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var discovery = await DiscoverAsync(session, server, null, behind: null, cancellationToken).ConfigureAwait(false);
            var client = await ImportedClientAsync(discovery.AuthorizationServer, tokens, cancellationToken).ConfigureAwait(false);
            var credential = await _lifecycle.SaveAuthorizationAsync(new StoredCredential
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
            }, cancellationToken).ConfigureAwait(false);
            // The index a new process reads is keyed by the server URL as given, which may differ from the published resource.
            await _vault.SetActiveClientIdAsync(profile, ResourceUri.Canonicalize(server), discovery.Issuer, tokens.ClientId, cancellationToken)
                .ConfigureAwait(false);
            if (profile == _options.Profile)
            {
                (session.Credential, session.Client, session.Scope, session.DPoP) = (credential, client, tokens.Scope, null);
            }
            EngineLog.Imported(_logger, discovery.Resource, discovery.Issuer);
            return credential;
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>The identity the imported tokens belong to; a secret is stored as a pre-registered registration.</summary>
    private async Task<ClientIdentity> ImportedClientAsync(AuthorizationServerMetadata server, ImportedTokens tokens, CancellationToken ct)
    {
        if (tokens.ClientSecret is not { } secret)
        {
            return new ClientIdentity(server.Issuer, tokens.ClientId, null, ClientAuthentication.None, "imported");
        }
        var method = ClientAuthentication.Choose(server.TokenEndpointAuthMethodsSupported, hasSecret: true) ?? ClientAuthentication.ClientSecretBasic;
        await _vault.SaveRegistrationAsync(new StoredRegistration
        {
            Issuer = server.Issuer,
            RedirectUri = _options.RedirectUri.OriginalString,
            ClientId = tokens.ClientId,
            ClientSecret = secret,
            TokenEndpointAuthMethod = method,
            Source = "preregistered",
            RegisteredAt = _time.GetUtcNow(),
        }, ct).ConfigureAwait(false);
        return new ClientIdentity(server.Issuer, tokens.ClientId, secret, method, "preregistered");
    }
}
