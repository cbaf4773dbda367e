namespace McpAuth.Protocol;

/// <summary>Authorization server metadata (RFC 8414 §2, OpenID Connect Discovery 1.0 §3), the members McpAuth uses.</summary>
public sealed record AuthorizationServerMetadata
{
    /// <summary>RFC 8414 §2 <c>issuer</c>, checked against the URL it was fetched from (§3.3).</summary>
    public required string Issuer { get; init; }
    /// <summary>RFC 8414 §2 <c>authorization_endpoint</c>.</summary>
    public Uri? AuthorizationEndpoint { get; init; }
    /// <summary>RFC 8414 §2 <c>token_endpoint</c>.</summary>
    public required Uri TokenEndpoint { get; init; }
    /// <summary>RFC 8414 §2 <c>registration_endpoint</c> (RFC 7591).</summary>
    public Uri? RegistrationEndpoint { get; init; }
    /// <summary>RFC 8414 §2 <c>revocation_endpoint</c> (RFC 7009).</summary>
    public Uri? RevocationEndpoint { get; init; }
    /// <summary>RFC 8628 §4 <c>device_authorization_endpoint</c>.</summary>
    public Uri? DeviceAuthorizationEndpoint { get; init; }
    /// <summary>RFC 8414 §2 <c>scopes_supported</c>.</summary>
    public IReadOnlyList<string>? ScopesSupported { get; init; }
    /// <summary>RFC 8414 §2 <c>grant_types_supported</c>.</summary>
    public IReadOnlyList<string>? GrantTypesSupported { get; init; }
    /// <summary>RFC 8414 §2 <c>code_challenge_methods_supported</c> (RFC 7636).</summary>
    public IReadOnlyList<string>? CodeChallengeMethodsSupported { get; init; }
    /// <summary>RFC 8414 §2 <c>token_endpoint_auth_methods_supported</c>.</summary>
    public IReadOnlyList<string>? TokenEndpointAuthMethodsSupported { get; init; }
    /// <summary>RFC 8414 §2 <c>revocation_endpoint_auth_methods_supported</c>; absent means the token endpoint's methods apply.</summary>
    public IReadOnlyList<string>? RevocationEndpointAuthMethodsSupported { get; init; }
    /// <summary>RFC 9449 §5.1.</summary>
    public IReadOnlyList<string>? DPoPSigningAlgValuesSupported { get; init; }
    /// <summary>RFC 9207 §3: the server sends <c>iss</c> in every authorization response.</summary>
    public bool AuthorizationResponseIssParameterSupported { get; init; }
    /// <summary>Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document §6).</summary>
    public bool ClientIdMetadataDocumentSupported { get; init; }
    /// <summary>True when built from the 2025-03-26 default endpoints rather than a document.</summary>
    public bool IsFallback { get; init; }

    /// <summary>True when PKCE with S256 is advertised (MCP authorization "Authorization Code Protection").</summary>
    public bool SupportsS256 => CodeChallengeMethodsSupported?.Contains(Pkce.MethodS256, StringComparer.Ordinal) == true;

    /// <summary>
    /// The metadata URLs for <paramref name="issuer"/>, in the order the MCP specification gives
    /// ("Authorization Server Metadata Discovery"): RFC 8414 §3.1 path insertion, OpenID path insertion, then the
    /// OpenID path-appended form; for an issuer without a path, the two root documents.
    /// </summary>
    /// <exception cref="ArgumentException">The issuer is not an absolute http(s) URL, or has a query or fragment (RFC 8414 §2).</exception>
    public static IReadOnlyList<Uri> DiscoveryUris(string issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || uri.Query.Length > 0 || uri.Fragment.Length > 0
            || uri.Scheme is not ("https" or "http"))
        {
            throw new ArgumentException("An issuer is an absolute http(s) URL without query or fragment.", nameof(issuer));
        }
        var origin = uri.GetLeftPart(UriPartial.Authority);
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.Length == 0)
        {
            return [new Uri(origin + "/.well-known/oauth-authorization-server"), new Uri(origin + "/.well-known/openid-configuration")];
        }
        return
        [
            new Uri(origin + "/.well-known/oauth-authorization-server" + path),
            new Uri(origin + "/.well-known/openid-configuration" + path),
            new Uri(origin + path + "/.well-known/openid-configuration"),
        ];
    }

    /// <summary>
    /// The metadata names another issuer than the one it was found through. Both are named (issuers are public URLs;
    /// one that is not printable is not echoed), with the option that accepts the metadata's spelling.
    /// </summary>
    private static McpAuthException IssuerMismatch(string actual, string expected) =>
        new(McpAuthErrorCode.IssuerMismatch, $"metadata issuer '{PrintableIssuer(actual)}' differs from '{PrintableIssuer(expected)}', the issuer used to find it")
        {
            Hint = "If you trust that authorization server for this server, pin the metadata's issuer with --trusted-issuer "
                + "(McpAuthOptions.Authorization.TrustedIssuer).",
        };

    private static string PrintableIssuer(string issuer) =>
        issuer.Length <= 200 && issuer.All(c => c is > '\x20' and <= '\x7e' and not '\'' and not '\\') ? issuer : "(unprintable issuer)";

    /// <summary>
    /// The 2025-03-26 MCP fallback for servers without metadata: <c>/authorize</c>, <c>/token</c>, <c>/register</c>
    /// at the server's origin, S256 assumed.
    /// </summary>
    public static AuthorizationServerMetadata Fallback(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var origin = server.GetLeftPart(UriPartial.Authority);
        return new AuthorizationServerMetadata
        {
            Issuer = origin,
            AuthorizationEndpoint = new Uri(origin + "/authorize"),
            TokenEndpoint = new Uri(origin + "/token"),
            RegistrationEndpoint = new Uri(origin + "/register"),
            CodeChallengeMethodsSupported = [Pkce.MethodS256],
            IsFallback = true,
        };
    }

    /// <summary>
    /// Reads a metadata document and checks that its <c>issuer</c> is identical to <paramref name="expectedIssuer"/>,
    /// the issuer used to find it (RFC 8414 §3.3), or to <paramref name="trustedIssuer"/>, an issuer the user pinned
    /// for a server whose spellings differ. Unknown members are ignored.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.IssuerMismatch"/> naming both issuers; <see cref="McpAuthErrorCode.InvalidResponse"/>
    /// naming a missing or mistyped member; or the classified error of a failed response.
    /// </exception>
    public static AuthorizationServerMetadata Read(OAuthResponse response, string expectedIssuer, string? trustedIssuer = null)
    {
        ArgumentNullException.ThrowIfNull(expectedIssuer);
        var json = OAuthResponseReader.ReadJson(response, "authorization server metadata", 200);
        return ResponseMembers.Read(response, () =>
        {
            var issuer = OAuthJson.RequiredString(json, "issuer");
            if (!string.Equals(issuer, expectedIssuer, StringComparison.Ordinal) && !string.Equals(issuer, trustedIssuer, StringComparison.Ordinal))
            {
                throw IssuerMismatch(issuer, expectedIssuer);
            }
            return new AuthorizationServerMetadata
            {
                Issuer = issuer,
                AuthorizationEndpoint = OAuthJson.OptionalUri(json, "authorization_endpoint"),
                TokenEndpoint = OAuthJson.RequiredUri(json, "token_endpoint"),
                RegistrationEndpoint = OAuthJson.OptionalUri(json, "registration_endpoint"),
                RevocationEndpoint = OAuthJson.OptionalUri(json, "revocation_endpoint"),
                DeviceAuthorizationEndpoint = OAuthJson.OptionalUri(json, "device_authorization_endpoint"),
                ScopesSupported = OAuthJson.OptionalStringArray(json, "scopes_supported"),
                GrantTypesSupported = OAuthJson.OptionalStringArray(json, "grant_types_supported"),
                CodeChallengeMethodsSupported = OAuthJson.OptionalStringArray(json, "code_challenge_methods_supported"),
                TokenEndpointAuthMethodsSupported = OAuthJson.OptionalStringArray(json, "token_endpoint_auth_methods_supported"),
                RevocationEndpointAuthMethodsSupported = OAuthJson.OptionalStringArray(json, "revocation_endpoint_auth_methods_supported"),
                DPoPSigningAlgValuesSupported = OAuthJson.OptionalStringArray(json, "dpop_signing_alg_values_supported"),
                AuthorizationResponseIssParameterSupported =
                    OAuthJson.OptionalBool(json, "authorization_response_iss_parameter_supported") ?? false,
                ClientIdMetadataDocumentSupported = OAuthJson.OptionalBool(json, "client_id_metadata_document_supported") ?? false,
            };
        });
    }
}
