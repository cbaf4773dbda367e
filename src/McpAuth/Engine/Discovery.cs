using McpAuth.Http;
using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>What discovery found for one MCP server.</summary>
/// <param name="Server">The MCP server URL as the caller gave it.</param>
/// <param name="Resource">The RFC 8707 resource indicator: the metadata's <c>resource</c> verbatim, else the canonical server URI.</param>
/// <param name="ResourceMetadata">The protected resource metadata; null for a 2025-03-26 server without one.</param>
/// <param name="ResourceMetadataUrl">Where it was found.</param>
/// <param name="AuthorizationServer">The authorization server metadata (or the 2025-03-26 fallback endpoints).</param>
public sealed record DiscoveryResult(
    Uri Server, string Resource, ProtectedResourceMetadata? ResourceMetadata, Uri? ResourceMetadataUrl,
    AuthorizationServerMetadata AuthorizationServer)
{
    /// <summary>The authorization server's issuer identifier (RFC 8414 §2).</summary>
    public string Issuer => AuthorizationServer.Issuer;
}

/// <summary>
/// Finds the protected resource metadata (RFC 9728) and the authorization server metadata (RFC 8414, OpenID discovery)
/// of an MCP server, in the order the MCP specification gives, refusing a resource mismatch before anything else.
/// </summary>
internal sealed class Discovery(OAuthHttpClient http, McpAuthOptions options)
{
    /// <summary>Runs discovery for <paramref name="server"/>, starting from a 401 challenge when there is one.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.ResourceMismatch"/>, <see cref="McpAuthErrorCode.IssuerMismatch"/>,
    /// <see cref="McpAuthErrorCode.AuthorizationServerMetadataNotFound"/>, transport errors.
    /// </exception>
    public async Task<DiscoveryResult> DiscoverAsync(Uri server, AuthenticationChallenge? challenge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var (prm, prmUrl) = await FindResourceMetadataAsync(server, challenge, cancellationToken).ConfigureAwait(false);
        if (prm is not null && !ResourceUri.Covers(prm.Resource, server))
        {
            throw new McpAuthException(McpAuthErrorCode.ResourceMismatch, EndpointPolicy.Redact(server).ToString())
            {
                Endpoint = prmUrl,
            };
        }
        var resource = prm?.Resource ?? ResourceUri.Canonicalize(server);
        var metadata = await FindServerMetadataAsync(server, prm, cancellationToken).ConfigureAwait(false);
        if (metadata.AuthorizationEndpoint is { } authorize)
        {
            // Opened in the user's browser, never through OAuthHttpClient: the same policy applies (OAuth 2.1 §1.5).
            EndpointPolicy.Validate(authorize, options.Http.DangerouslyAllowLinkLocalAddresses);
        }
        return new DiscoveryResult(server, resource, prm, prmUrl, metadata);
    }

    private async Task<(ProtectedResourceMetadata?, Uri?)> FindResourceMetadataAsync(
        Uri server, AuthenticationChallenge? challenge, CancellationToken ct)
    {
        var candidates = new List<Uri>();
        if (challenge?.ResourceMetadata is { } fromChallenge)
        {
            candidates.Add(fromChallenge);
        }
        candidates.AddRange(ProtectedResourceMetadata.WellKnownUris(server).Where(u => !candidates.Contains(u)));
        foreach (var url in candidates)
        {
            var response = await GetAsync(url, ct).ConfigureAwait(false);
            if (response.StatusCode == 200)
            {
                return (ProtectedResourceMetadata.Read(response), url);
            }
        }
        return (null, null);
    }

    private async Task<AuthorizationServerMetadata> FindServerMetadataAsync(Uri server, ProtectedResourceMetadata? prm, CancellationToken ct)
    {
        if (options.Authorization.ServerMetadataUrl is { } configured)
        {
            return await ReadConfiguredAsync(configured, prm, ct).ConfigureAwait(false);
        }
        if (prm is null)
        {
            // 2025-03-26: no resource metadata; the MCP server's origin is the issuer, else the default endpoints.
            var origin = server.GetLeftPart(UriPartial.Authority);
            return await TryIssuerAsync(origin, ct).ConfigureAwait(false) ?? AuthorizationServerMetadata.Fallback(server);
        }
        var issuer = prm.AuthorizationServers.FirstOrDefault()
            ?? throw new McpAuthException(McpAuthErrorCode.AuthorizationServerMetadataNotFound, "no authorization_servers");
        return await TryIssuerAsync(issuer, ct).ConfigureAwait(false)
            ?? throw new McpAuthException(McpAuthErrorCode.AuthorizationServerMetadataNotFound, issuer);
    }

    private async Task<AuthorizationServerMetadata?> TryIssuerAsync(string issuer, CancellationToken ct)
    {
        IReadOnlyList<Uri> urls;
        try
        {
            urls = AuthorizationServerMetadata.DiscoveryUris(issuer);
        }
        catch (ArgumentException e)
        {
            throw new McpAuthException(McpAuthErrorCode.AuthorizationServerMetadataNotFound, "issuer is not a URL without query", e);
        }
        foreach (var url in urls)
        {
            var response = await GetAsync(url, ct).ConfigureAwait(false);
            if (response.StatusCode == 200)
            {
                return options.Authorization.Adjust(AuthorizationServerMetadata.Read(response, issuer, options.Authorization.TrustedIssuer));
            }
        }
        return null;
    }

    private async Task<AuthorizationServerMetadata> ReadConfiguredAsync(Uri url, ProtectedResourceMetadata? prm, CancellationToken ct)
    {
        var response = await GetAsync(url, ct).ConfigureAwait(false);
        var json = OAuthResponseReader.ReadJson(response, "authorization server metadata", 200);
        var issuer = OAuthJson.OptionalString(json, "issuer")
            ?? throw new McpAuthException(McpAuthErrorCode.InvalidResponse, "required member 'issuer' is missing") { Endpoint = response.Endpoint };
        if (prm is { AuthorizationServers.Count: > 0 } && !prm.AuthorizationServers.Contains(issuer, StringComparer.Ordinal))
        {
            throw new McpAuthException(McpAuthErrorCode.IssuerMismatch, "configured metadata names an issuer the resource does not list")
            {
                Endpoint = response.Endpoint,
            };
        }
        return options.Authorization.Adjust(AuthorizationServerMetadata.Read(response, issuer));
    }

    private Task<OAuthResponse> GetAsync(Uri url, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        return SendAndDisposeAsync(request, ct);
    }

    private async Task<OAuthResponse> SendAndDisposeAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            return await http.SendAsync(request, ct).ConfigureAwait(false);
        }
    }
}
