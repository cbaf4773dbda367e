namespace McpAuth;

/// <summary>
/// The one exception family McpAuth throws. <see cref="Code"/> is stable; <see cref="Exception.Message"/> is fixed
/// text for the code and never contains a response body, token, secret, authorization code or PKCE verifier.
/// Data about the failure lives in properties.
/// </summary>
public class McpAuthException : Exception
{
    /// <summary>Creates an error with a stable code; the message is the fixed text of <paramref name="code"/>.</summary>
    /// <param name="code">The stable reason code.</param>
    /// <param name="detail">Safe detail (a member name, an endpoint without query); never server content or a secret.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public McpAuthException(McpAuthErrorCode code, string? detail = null, Exception? innerException = null)
        : base(ComposeMessage(code, detail), innerException)
    {
        Code = code;
        Detail = detail;
    }

    /// <summary>The stable reason code.</summary>
    public McpAuthErrorCode Code { get; }

    /// <summary>
    /// The safe detail given when the error was raised (a member name, an endpoint without query, an entry name),
    /// or null. Never server-provided content or a secret.
    /// </summary>
    public string? Detail { get; }

    /// <summary>The HTTP status code of the response that caused the failure, when there was one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The RFC 6749 §5.2 <c>error</c> value the server sent, when it sent one.</summary>
    public string? OAuthError { get; init; }

    /// <summary>
    /// The server's <c>error_description</c>, when it sent one. Server-controlled text: never put it in HTML unencoded.
    /// </summary>
    public string? OAuthErrorDescription { get; init; }

    /// <summary>The endpoint involved (query string removed), when there was one.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>
    /// True when retrying later may succeed without any user action (outage, timeout, rate limit),
    /// false when the user or the configuration must change something.
    /// </summary>
    public bool IsTransient => Code is McpAuthErrorCode.Timeout or McpAuthErrorCode.TransportFailure
        or McpAuthErrorCode.TemporarilyUnavailable or McpAuthErrorCode.StoreLockTimeout or McpAuthErrorCode.StoreUnavailable;

    /// <summary>A <c>Retry-After</c> the server asked for, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// What the user can do about it (the option or flag that fixes a known provider quirk), or null. Fixed text chosen
    /// where the error is raised; never server content or a secret. Appended to <see cref="Message"/>.
    /// </summary>
    public string? Hint { get; init; }

    /// <summary>The fixed text of <see cref="Code"/>, the safe detail, and the <see cref="Hint"/> when there is one.</summary>
    public override string Message => Hint is null ? base.Message : $"{base.Message} {Hint}";

    /// <summary>Fixed text for each code. Never includes server-provided or secret data.</summary>
    public static string Describe(McpAuthErrorCode code) => code switch
    {
        McpAuthErrorCode.InvalidConfiguration => "The McpAuth configuration is invalid.",
        McpAuthErrorCode.InsecureEndpoint => "The endpoint must use HTTPS (plain HTTP is allowed only on loopback).",
        McpAuthErrorCode.ForbiddenAddress => "The endpoint points at a forbidden address (link-local or cloud metadata).",
        McpAuthErrorCode.Timeout => "The request timed out.",
        McpAuthErrorCode.ResponseTooLarge => "The response was larger than allowed.",
        McpAuthErrorCode.TransportFailure => "The connection to the server failed.",
        McpAuthErrorCode.RedirectRefused => "The server answered with a redirect; OAuth requests do not follow redirects.",
        McpAuthErrorCode.UnsupportedScheme => "The URL scheme is not http or https.",
        McpAuthErrorCode.TlsFailure => "The TLS handshake failed: the server's certificate is not trusted, has expired or names another host.",
        McpAuthErrorCode.InvalidResponse => "The server's response is not a conforming OAuth response.",
        McpAuthErrorCode.OAuthError => "The server returned an OAuth error.",
        McpAuthErrorCode.InvalidGrant => "The grant was rejected by the authorization server; a new login is needed.",
        McpAuthErrorCode.InvalidClient => "The authorization server rejected the client's credentials.",
        McpAuthErrorCode.TemporarilyUnavailable => "The server is temporarily unavailable; try again later.",
        McpAuthErrorCode.UnsupportedGrantType => "The authorization server does not support this grant or token type.",
        McpAuthErrorCode.ProtectedResourceMetadataNotFound => "No protected resource metadata was found for the server.",
        McpAuthErrorCode.ResourceMismatch => "The protected resource metadata names a different resource.",
        McpAuthErrorCode.AuthorizationServerMetadataNotFound => "No authorization server metadata was found.",
        McpAuthErrorCode.IssuerMismatch => "The authorization server metadata names a different issuer.",
        McpAuthErrorCode.PkceNotSupported => "The authorization server does not advertise PKCE with S256.",
        McpAuthErrorCode.DeviceAuthorizationNotSupported => "The authorization server does not support the device authorization grant.",
        McpAuthErrorCode.DPoPNotSupported =>
            "The resource requires DPoP-bound tokens, which cannot be had here: DPoP is disabled, the authorization server does not support ES256 DPoP proofs, or the tokens were imported (bound to no key McpAuth holds).",
        McpAuthErrorCode.InvalidChallenge => "The WWW-Authenticate header is malformed.",
        McpAuthErrorCode.NoClientIdentity => "No client identity is available: no client id, no metadata document support, no registration endpoint.",
        McpAuthErrorCode.RegistrationFailed => "Dynamic client registration failed.",
        McpAuthErrorCode.StateMismatch => "The authorization response state does not match any pending authorization.",
        McpAuthErrorCode.AuthorizationResponseIssuerMismatch => "The authorization response issuer (iss) is missing or does not match.",
        McpAuthErrorCode.AuthorizationDenied => "The authorization server returned an error to the redirect URI.",
        McpAuthErrorCode.FlowExpired => "The authorization flow expired or is unknown.",
        McpAuthErrorCode.TooManyPendingFlows => "Too many authorization flows are pending.",
        McpAuthErrorCode.StepUpLimitExceeded => "Step-up authorization was attempted too many times.",
        McpAuthErrorCode.MissingAuthorizationCode => "The authorization response carries no code.",
        McpAuthErrorCode.InteractionRequired => "User interaction is required to authorize.",
        McpAuthErrorCode.DeviceAuthorizationFailed => "The device authorization was denied or expired.",
        McpAuthErrorCode.LoginRequired => "A login is required.",
        McpAuthErrorCode.Cancelled => "The operation was cancelled.",
        McpAuthErrorCode.StoreEntryCorrupt => "A stored entry is corrupt or cannot be decrypted.",
        McpAuthErrorCode.StoreUnavailable => "The credential store cannot be read or written.",
        McpAuthErrorCode.StoreLockTimeout => "The credential store lock could not be taken in time.",
        McpAuthErrorCode.StoreKeyUnavailable => "The credential store's encryption key is unavailable.",
        McpAuthErrorCode.StoreEntryFromNewerVersion =>
            "A stored entry was written by a newer version of McpAuth and is left untouched: upgrade McpAuth to use it.",
        _ => "McpAuth operation failed.",
    };

    private static string ComposeMessage(McpAuthErrorCode code, string? detail) =>
        detail is null ? $"{Describe(code)} ({code})" : $"{Describe(code)} ({code}: {detail})";
}
