using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>
/// What the authorization request (and the token requests that belong to it) carries beyond the MCP defaults: the
/// knobs real authorization servers need (<c>docs/providers.md</c>). Every knob is off by default; the ones that
/// relax a check (<see cref="AssumePkceS256"/>, <see cref="TrustedIssuer"/>) are named for what they trust.
/// </summary>
public sealed class AuthorizationOptions
{
    /// <summary>
    /// Space-separated scopes to request (RFC 6749 §3.3) instead of the MCP scope selection (a challenge's
    /// <c>scope</c>, else the resource metadata's <c>scopes_supported</c>). <c>offline_access</c> is still added per
    /// <see cref="RequestRefreshToken"/>, and a step-up still asks for the union with the challenged scopes.
    /// Null (default): the MCP scope selection.
    /// </summary>
    public string? Scope { get; set; }

    /// <summary>Ask for <c>offline_access</c> when the authorization server lists it. Default true.</summary>
    public bool RequestRefreshToken { get; set; } = true;

    /// <summary>
    /// The authorization server metadata URL to use instead of discovery, for servers that need one (HTTPS, loopback
    /// excepted).
    /// </summary>
    public Uri? ServerMetadataUrl { get; set; }

    /// <summary>How many step-up authorizations may follow each other without a successful request. Default 2.</summary>
    public int MaxStepUpAttempts { get; set; } = 2;

    /// <summary>How many authorizations of this profile may be pending at once (in its <see cref="PendingFlowRegistry"/>). Default 16.</summary>
    public int MaxPendingFlows { get; set; } = 16;

    /// <summary>
    /// For an application acting for many users (profiles "tenant/user"): how many authorizations one tenant may have
    /// pending at once across all its users. Default 64.
    /// </summary>
    public int MaxPendingFlowsPerTenant { get; set; } = 64;

    /// <summary>
    /// For an application acting for many users: how many authorizations may be pending at once across every profile.
    /// Default 1024.
    /// </summary>
    public int MaxPendingFlowsTotal { get; set; } = 1024;

    /// <summary>How long a pending authorization stays valid. Default 10 minutes.</summary>
    public TimeSpan PendingFlowLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// RFC 8707 §2 <c>resource</c> to send instead of the discovered one (the protected resource metadata's
    /// <c>resource</c>, else the canonical MCP server URI). Null (default): the discovered one. The credential is still
    /// bound to the discovered resource; only the request parameter changes.
    /// </summary>
    public Uri? Resource { get; set; }

    /// <summary>
    /// Send no <c>resource</c> parameter at all: not on the authorization request, the code exchange, the refresh nor
    /// the client credentials and JWT bearer grants. Microsoft Entra ID v2.0 refuses it on authorize (AADSTS901002)
    /// and on token and refresh requests (AADSTS9010010) and wants the audience in the scope instead
    /// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes). Default false.
    /// </summary>
    public bool OmitResource { get; set; }

    /// <summary>
    /// Extra parameters added to the authorization request (RFC 6749 §3.1: unknown ones are ignored by servers that do
    /// not use them), e.g. Google's <c>access_type=offline</c> and <c>prompt=consent</c>, without which Google issues
    /// no refresh token (https://developers.google.com/identity/protocols/oauth2/web-server#offline). Names the
    /// protocol sets itself (<see cref="AuthorizationRequest.ReservedParameters"/>) are refused by <see cref="Validate"/>.
    /// </summary>
    public IDictionary<string, string> ExtraParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// <c>audience</c> sent on the authorization request and on the code exchange and client credentials token
    /// requests (not on refreshes: the grant keeps its audience). Auth0 ignores <c>resource</c> and issues an opaque
    /// token the MCP server cannot validate unless the API is named this way
    /// (https://auth0.com/docs/secure/tokens/access-tokens/get-access-tokens). Null (default): none.
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Use PKCE with S256 when the authorization server's metadata does not list <c>code_challenge_methods_supported</c>
    /// at all. The MCP specification says to refuse such a server (MCP authorization "Authorization Code Protection"),
    /// and McpAuth does by default (<see cref="McpAuthErrorCode.PkceNotSupported"/>); Microsoft Entra ID supports S256
    /// but its OpenID metadata omits the member
    /// (https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration). Set it only for an
    /// authorization server you trust to check the challenge. A server that lists methods without S256 is still refused.
    /// Default false.
    /// </summary>
    public bool AssumePkceS256 { get; set; }

    /// <summary>
    /// An issuer identifier accepted besides the one the metadata was found through (RFC 8414 §3.3 requires them
    /// identical), for a server whose two spellings differ: the resource metadata of a Google-backed server lists
    /// <c>https://accounts.google.com/</c> while Google's metadata says <c>https://accounts.google.com</c>
    /// (https://accounts.google.com/.well-known/openid-configuration); Slack's metadata once named
    /// <c>https://slack.com</c>. Pin exactly the value the metadata says, and only for a server you trust: the check
    /// it relaxes stops mix-up attacks. Null (default): identical issuers only.
    /// </summary>
    public string? TrustedIssuer { get; set; }

    /// <summary>The <c>resource</c> parameter to send, given the discovered resource; null to send none.</summary>
    internal string? ResourceParameter(string discovered) => OmitResource ? null : Resource?.OriginalString ?? discovered;

    /// <summary>The extra authorization request parameters, <see cref="Audience"/> included; null when there are none.</summary>
    internal IReadOnlyDictionary<string, string>? AuthorizeExtras()
    {
        if (ExtraParameters.Count == 0 && Audience is null)
        {
            return null;
        }
        var extras = new Dictionary<string, string>(ExtraParameters, StringComparer.Ordinal);
        if (Audience is not null)
        {
            extras[AudienceParameter] = Audience;
        }
        return extras;
    }

    /// <summary>
    /// The metadata as this client treats it: with <see cref="AssumePkceS256"/>, an absent
    /// <c>code_challenge_methods_supported</c> reads as S256.
    /// </summary>
    internal AuthorizationServerMetadata Adjust(AuthorizationServerMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return AssumePkceS256 && metadata.CodeChallengeMethodsSupported is null
            ? metadata with { CodeChallengeMethodsSupported = [Pkce.MethodS256] }
            : metadata;
    }

    /// <summary>The error for a server without S256, naming the opt-in.</summary>
    internal static McpAuthException PkceNotSupported(string issuer) => new(McpAuthErrorCode.PkceNotSupported, issuer)
    {
        Hint = "If this authorization server supports S256 but does not say so (Microsoft Entra ID), opt in with "
            + "--assume-pkce (McpAuthOptions.Authorization.AssumePkceS256).",
    };

    /// <summary>Checks the group; called by <see cref="McpAuthOptions.Validate"/>.</summary>
    /// <param name="http">The request limits (for the endpoint policy of <see cref="ServerMetadataUrl"/>).</param>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidConfiguration"/> naming the option.</exception>
    public void Validate(Http.OAuthHttpOptions http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (MaxPendingFlows < 1 || MaxPendingFlowsPerTenant < 1 || MaxPendingFlowsTotal < 1 || PendingFlowLifetime <= TimeSpan.Zero)
        {
            throw Invalid(nameof(MaxPendingFlows));
        }
        if (MaxStepUpAttempts < 0)
        {
            throw Invalid(nameof(MaxStepUpAttempts));
        }
        if (ServerMetadataUrl is { } url)
        {
            Http.EndpointPolicy.Validate(url, http.DangerouslyAllowLinkLocalAddresses);
        }
        if (OmitResource && Resource is not null)
        {
            throw Invalid($"{nameof(Resource)} and {nameof(OmitResource)} exclude each other");
        }
        if (Resource is { } resource && (!resource.IsAbsoluteUri || resource.Fragment.Length > 0))
        {
            // RFC 8707 §2: an absolute URI without a fragment.
            throw Invalid(nameof(Resource));
        }
        if (Audience is { Length: 0 } || TrustedIssuer is { Length: 0 })
        {
            throw Invalid(Audience is { Length: 0 } ? nameof(Audience) : nameof(TrustedIssuer));
        }
        if (TrustedIssuer is { } issuer && (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
        {
            throw Invalid(nameof(TrustedIssuer));
        }
        foreach (var (name, value) in ExtraParameters)
        {
            if (name.Length == 0 || AuthorizationRequest.ReservedParameters.Contains(name) || (name == AudienceParameter && Audience is not null))
            {
                throw Invalid($"{nameof(ExtraParameters)}: '{Printable(name)}' is set by McpAuth itself");
            }
            if (value is null)
            {
                throw Invalid($"{nameof(ExtraParameters)}: '{Printable(name)}' has no value");
            }
        }
    }

    private const string AudienceParameter = "audience";

    private static McpAuthException Invalid(string what) => new(McpAuthErrorCode.InvalidConfiguration, $"Authorization.{what}");

    private static string Printable(string name) =>
        name.Length <= 64 && name.All(c => c is >= '\x20' and <= '\x7e') ? name : "(unprintable name)";
}
