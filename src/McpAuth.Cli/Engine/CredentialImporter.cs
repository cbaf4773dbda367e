using McpAuth.Cli.Commands.Import;
using McpAuth.Engine.Lifecycle;
using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>
/// <c>mcpauth import</c>: finds the issuer of the server (RFC 9728 protected resource metadata, then RFC 8414 metadata
/// for the token and revocation endpoints), then stores the tokens as a credential the engine can use and refresh.
/// A client secret is stored as a pre-registered registration, so refresh can authenticate.
/// </summary>
internal sealed class CredentialImporter(OAuthHttpClient http, CredentialLifecycle lifecycle, TimeProvider time)
{
    public async Task ImportAsync(ImportOptions options, Uri redirectUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var resource = await ReadResourceMetadataAsync(options.Server, cancellationToken).ConfigureAwait(false);
        var issuer = resource.AuthorizationServers.FirstOrDefault()
            ?? throw new McpAuthException(McpAuthErrorCode.AuthorizationServerMetadataNotFound, "no authorization_servers");
        var metadata = await ReadServerMetadataAsync(issuer, cancellationToken).ConfigureAwait(false);
        var canonical = ResourceUri.Canonicalize(options.Server);
        var method = options.ClientSecret is null ? ClientAuthentication.None
            : ClientAuthentication.Choose(metadata.TokenEndpointAuthMethodsSupported, hasSecret: true) ?? ClientAuthentication.ClientSecretBasic;
        if (options.ClientSecret is not null)
        {
            await lifecycle.Vault.SaveRegistrationAsync(new StoredRegistration
            {
                Issuer = metadata.Issuer, RedirectUri = redirectUri.AbsoluteUri, ClientId = options.ClientId, ClientSecret = options.ClientSecret,
                TokenEndpointAuthMethod = method, Source = "preregistered", RegisteredAt = time.GetUtcNow(),
            }, cancellationToken).ConfigureAwait(false);
        }
        await lifecycle.Vault.SaveDiscoveryAsync(new DiscoveryRecord
        {
            Resource = canonical, Issuer = metadata.Issuer, DiscoveredAt = time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        await lifecycle.SaveAuthorizationAsync(new StoredCredential
        {
            Binding = new CredentialBinding(options.Profile, canonical, metadata.Issuer, options.ClientId),
            Tokens = new TokenSet
            {
                AccessToken = options.AccessToken, RefreshToken = options.RefreshToken, ExpiresAt = options.ExpiresAt, Scope = options.Scope,
            },
            TokenEndpoint = (options.TokenEndpoint ?? metadata.TokenEndpoint).AbsoluteUri,
            TokenEndpointAuthMethod = method,
            RevocationEndpoint = metadata.RevocationEndpoint?.AbsoluteUri,
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProtectedResourceMetadata> ReadResourceMetadataAsync(Uri server, CancellationToken cancellationToken)
    {
        McpAuthException? last = null;
        foreach (var url in ProtectedResourceMetadata.WellKnownUris(server))
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                return ProtectedResourceMetadata.Read(await http.SendAsync(request, cancellationToken).ConfigureAwait(false));
            }
            catch (McpAuthException e) when (!e.IsTransient)
            {
                last = e;
            }
        }
        throw new McpAuthException(McpAuthErrorCode.ProtectedResourceMetadataNotFound, server.GetLeftPart(UriPartial.Path), last);
    }

    private async Task<AuthorizationServerMetadata> ReadServerMetadataAsync(string issuer, CancellationToken cancellationToken)
    {
        McpAuthException? last = null;
        foreach (var url in AuthorizationServerMetadata.DiscoveryUris(issuer))
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                return AuthorizationServerMetadata.Read(await http.SendAsync(request, cancellationToken).ConfigureAwait(false), issuer);
            }
            catch (McpAuthException e) when (!e.IsTransient && e.Code != McpAuthErrorCode.IssuerMismatch)
            {
                last = e;
            }
        }
        throw new McpAuthException(McpAuthErrorCode.AuthorizationServerMetadataNotFound, issuer, last);
    }
}
