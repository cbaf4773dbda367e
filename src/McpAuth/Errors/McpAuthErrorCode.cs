namespace McpAuth;

/// <summary>
/// Stable reason codes for every McpAuth failure. Names and numbers never change once released,
/// so they are safe to use in metrics, logs and scripts. New codes are only ever appended.
/// </summary>
public enum McpAuthErrorCode
{
    /// <summary>A configuration value is missing or invalid.</summary>
    InvalidConfiguration = 1,

    // ---- Transport (orchestration layer) ----
    /// <summary>An endpoint is not HTTPS and not loopback (OAuth 2.1 §1.5).</summary>
    InsecureEndpoint = 100,
    /// <summary>An endpoint resolves to a link-local, cloud-metadata or otherwise forbidden address.</summary>
    ForbiddenAddress = 101,
    /// <summary>A request to an authorization or resource server timed out.</summary>
    Timeout = 102,
    /// <summary>A response body or header was larger than the configured cap.</summary>
    ResponseTooLarge = 103,
    /// <summary>The connection failed (DNS, TCP, TLS) before a response arrived.</summary>
    TransportFailure = 104,
    /// <summary>An OAuth endpoint answered with a redirect; OAuth calls never follow redirects.</summary>
    RedirectRefused = 105,
    /// <summary>An endpoint URL uses a scheme other than http or https.</summary>
    UnsupportedScheme = 106,
    /// <summary>
    /// The TLS handshake failed: most often the server's certificate is not trusted (issued by a private or corporate CA
    /// that is not in the system's roots nor in <see cref="Http.OAuthHttpOptions.ExtraTrustedCertificates"/>), expired, or
    /// for another host name.
    /// </summary>
    TlsFailure = 107,

    // ---- Response classification (protocol layer) ----
    /// <summary>The response is not a conforming OAuth response (wrong status, content type, not JSON, wrong shape).</summary>
    InvalidResponse = 200,
    /// <summary>The server answered with an RFC 6749 §5.2 error not covered by a more specific code.</summary>
    OAuthError = 201,
    /// <summary>The grant (code, refresh token, assertion) was rejected: RFC 6749 <c>invalid_grant</c> or an alias.</summary>
    InvalidGrant = 202,
    /// <summary>The client failed authentication: RFC 6749 <c>invalid_client</c>.</summary>
    InvalidClient = 203,
    /// <summary>The server is temporarily unavailable (5xx, 429, <c>temporarily_unavailable</c>): try again later.</summary>
    TemporarilyUnavailable = 204,
    /// <summary>The grant type or token type is not supported by the server.</summary>
    UnsupportedGrantType = 205,

    // ---- Discovery ----
    /// <summary>No protected resource metadata (RFC 9728) could be found.</summary>
    ProtectedResourceMetadataNotFound = 300,
    /// <summary>The protected resource metadata names another resource than the MCP server (RFC 9728 §3.3).</summary>
    ResourceMismatch = 301,
    /// <summary>No authorization server metadata (RFC 8414 / OpenID discovery) could be found.</summary>
    AuthorizationServerMetadataNotFound = 302,
    /// <summary>The metadata <c>issuer</c> differs from the issuer used to find it (RFC 8414 §3.3).</summary>
    IssuerMismatch = 303,
    /// <summary>The authorization server does not advertise PKCE with S256.</summary>
    PkceNotSupported = 304,
    /// <summary>The WWW-Authenticate header could not be parsed.</summary>
    InvalidChallenge = 305,
    /// <summary>The authorization server advertises no <c>device_authorization_endpoint</c> (RFC 8628 §4).</summary>
    DeviceAuthorizationNotSupported = 306,
    /// <summary>
    /// The resource requires DPoP-bound tokens (RFC 9449 §5.2, <c>dpop_bound_access_tokens_required</c> in its RFC 9728
    /// metadata), but DPoP is disabled (<c>GrantOptions.DPoP</c>), ES256, the algorithm McpAuth signs proofs with, is
    /// not advertised by the authorization server (or not accepted by the resource), or the tokens are imported ones,
    /// bound to no key McpAuth holds.
    /// </summary>
    DPoPNotSupported = 307,

    // ---- Client identity ----
    /// <summary>No way to identify the client: no pre-registered id, no CIMD support, no registration endpoint.</summary>
    NoClientIdentity = 400,
    /// <summary>Dynamic client registration (RFC 7591) failed.</summary>
    RegistrationFailed = 401,

    // ---- Authorization ----
    /// <summary>The authorization response <c>state</c> does not match a pending flow.</summary>
    StateMismatch = 500,
    /// <summary>The authorization response <c>iss</c> is missing, unexpected or names another issuer (RFC 9207).</summary>
    AuthorizationResponseIssuerMismatch = 501,
    /// <summary>The authorization server returned an error to the redirect URI (RFC 6749 §4.1.2.1).</summary>
    AuthorizationDenied = 502,
    /// <summary>The pending authorization flow expired or is unknown.</summary>
    FlowExpired = 503,
    /// <summary>Too many authorization flows are pending.</summary>
    TooManyPendingFlows = 504,
    /// <summary>Step-up authorization was attempted too many times for one request.</summary>
    StepUpLimitExceeded = 505,
    /// <summary>The authorization response carries no code.</summary>
    MissingAuthorizationCode = 506,
    /// <summary>Interactive authorization is needed but not possible (no browser, no callback).</summary>
    InteractionRequired = 507,
    /// <summary>The device authorization grant ended without a token (denied or expired, RFC 8628 §3.5).</summary>
    DeviceAuthorizationFailed = 508,

    // ---- Credentials ----
    /// <summary>No usable credential: the user must log in (again).</summary>
    LoginRequired = 600,
    /// <summary>The operation was cancelled.</summary>
    Cancelled = 601,

    // ---- Store ----
    /// <summary>A stored entry cannot be read or decrypted. Only that entry is affected.</summary>
    StoreEntryCorrupt = 700,
    /// <summary>The store cannot be read or written (permissions, disk full, database down).</summary>
    StoreUnavailable = 701,
    /// <summary>A store lock could not be taken in time.</summary>
    StoreLockTimeout = 702,
    /// <summary>The store's encryption key is missing or wrong.</summary>
    StoreKeyUnavailable = 703,
    /// <summary>
    /// A stored entry was written by a newer McpAuth in a format this version cannot read. The entry is left as it is
    /// (never deleted or overwritten by this version); upgrading McpAuth reads it.
    /// </summary>
    StoreEntryFromNewerVersion = 704,
}
