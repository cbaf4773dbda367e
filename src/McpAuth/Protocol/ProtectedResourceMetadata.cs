namespace McpAuth.Protocol;

/// <summary>OAuth 2.0 Protected Resource Metadata (RFC 9728 §2).</summary>
/// <param name="Resource">The <c>resource</c> identifier, exactly as published (sent back verbatim as the RFC 8707 indicator).</param>
/// <param name="AuthorizationServers">Issuer identifiers of the authorization servers (RFC 9728 §2).</param>
/// <param name="ScopesSupported">Scopes the resource uses, when published.</param>
/// <param name="DPoPSigningAlgValuesSupported">RFC 9449 §5.1 algorithms the resource accepts, when published.</param>
/// <param name="DPoPBoundAccessTokensRequired">RFC 9449 §5.2: the resource only accepts DPoP-bound tokens.</param>
public sealed record ProtectedResourceMetadata(
    string Resource,
    IReadOnlyList<string> AuthorizationServers,
    IReadOnlyList<string>? ScopesSupported = null,
    IReadOnlyList<string>? DPoPSigningAlgValuesSupported = null,
    bool DPoPBoundAccessTokensRequired = false)
{
    private const string WellKnown = "/.well-known/oauth-protected-resource";

    /// <summary>
    /// Where to look for the metadata of <paramref name="server"/>, in order (RFC 9728 §3.1, MCP authorization
    /// "Protected Resource Metadata Discovery"): the path-inserted well-known URL when the server has a path, then the root one.
    /// </summary>
    public static IReadOnlyList<Uri> WellKnownUris(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var origin = server.GetLeftPart(UriPartial.Authority);
        var path = server.AbsolutePath.TrimEnd('/');
        var root = new Uri(origin + WellKnown);
        return path.Length == 0 ? [root] : [new Uri(origin + WellKnown + path), root];
    }

    /// <summary>Reads a metadata response (RFC 9728 §3.2). Unknown members are ignored.</summary>
    /// <exception cref="McpAuthException">
    /// The classified error of a failed response, or <see cref="McpAuthErrorCode.InvalidResponse"/> naming a missing or
    /// mistyped member.
    /// </exception>
    public static ProtectedResourceMetadata Read(OAuthResponse response)
    {
        var json = OAuthResponseReader.ReadJson(response, "protected resource metadata", 200);
        return ResponseMembers.Read(response, () =>
        {
            var resource = OAuthJson.RequiredString(json, "resource");
            var servers = OAuthJson.OptionalStringArray(json, "authorization_servers") ?? [];
            return new ProtectedResourceMetadata(
                resource,
                servers,
                OAuthJson.OptionalStringArray(json, "scopes_supported"),
                OAuthJson.OptionalStringArray(json, "dpop_signing_alg_values_supported"),
                OAuthJson.OptionalBool(json, "dpop_bound_access_tokens_required") ?? false);
        });
    }
}
