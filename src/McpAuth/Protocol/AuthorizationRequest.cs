using System.Text;

namespace McpAuth.Protocol;

/// <summary>The parameters of an authorization code request (RFC 6749 §4.1.1 with PKCE, RFC 8707, OAuth 2.1 §4.1.1).</summary>
public sealed record AuthorizationRequestParameters
{
    /// <summary>RFC 6749 §4.1.1 <c>client_id</c>.</summary>
    public required string ClientId { get; init; }
    /// <summary>RFC 6749 §4.1.1 <c>redirect_uri</c>, sent and compared exactly.</summary>
    public required Uri RedirectUri { get; init; }
    /// <summary>RFC 6749 §4.1.1 <c>state</c>: unguessable, checked on the callback (§10.12).</summary>
    public required string State { get; init; }
    /// <summary>RFC 7636 §4.2 <c>code_challenge</c> (S256).</summary>
    public required string CodeChallenge { get; init; }
    /// <summary>Space-separated scope; omitted when null.</summary>
    public string? Scope { get; init; }
    /// <summary>The RFC 8707 resource indicator, sent verbatim; omitted when null.</summary>
    public string? Resource { get; init; }
    /// <summary>
    /// Extra parameters (e.g. <c>prompt</c>, <c>access_type</c>, <c>audience</c>); none may be one of
    /// <see cref="AuthorizationRequest.ReservedParameters"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }
}

/// <summary>Builds the authorization URL (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 8707 §2).</summary>
public static class AuthorizationRequest
{
    /// <summary>
    /// Parameters the protocol sets itself and extra parameters may never replace: RFC 6749 §4.1.1 (response_type,
    /// client_id, redirect_uri, scope, state), RFC 7636 §4.3 (code_challenge, code_challenge_method), RFC 8707 §2
    /// (resource), and the ones that would carry or bind another request (RFC 9101 request, request_uri; RFC 9449
    /// §10 dpop_jkt).
    /// </summary>
    public static readonly IReadOnlySet<string> ReservedParameters = new HashSet<string>(StringComparer.Ordinal)
    {
        "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "resource",
        "request", "request_uri", "dpop_jkt",
    };

    /// <summary>
    /// The URL to send the user to: <paramref name="authorizationEndpoint"/> with the parameters appended to any query it
    /// already has (RFC 6749 §3.1 keeps the endpoint's own query).
    /// </summary>
    /// <exception cref="ArgumentException">An extra parameter is one of <see cref="ReservedParameters"/>.</exception>
    public static Uri BuildUri(Uri authorizationEndpoint, AuthorizationRequestParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(authorizationEndpoint);
        ArgumentNullException.ThrowIfNull(parameters);
        var pairs = new List<KeyValuePair<string, string>>
        {
            new("response_type", "code"),
            new("client_id", parameters.ClientId),
            new("redirect_uri", parameters.RedirectUri.OriginalString),
            new("state", parameters.State),
            new("code_challenge", parameters.CodeChallenge),
            new("code_challenge_method", Pkce.MethodS256),
        };
        if (parameters.Scope is not null)
        {
            pairs.Add(new("scope", parameters.Scope));
        }
        if (parameters.Resource is not null)
        {
            pairs.Add(new("resource", parameters.Resource));
        }
        foreach (var (name, value) in parameters.Extra ?? new Dictionary<string, string>())
        {
            if (ReservedParameters.Contains(name))
            {
                throw new ArgumentException("An extra parameter cannot replace one the protocol sets.", nameof(parameters));
            }
            pairs.Add(new(name, value));
        }
        var builder = new UriBuilder(authorizationEndpoint);
        var query = new StringBuilder(builder.Query.TrimStart('?'));
        foreach (var (name, value) in pairs)
        {
            query.Append(query.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        builder.Query = query.ToString();
        return builder.Uri;
    }

    /// <summary>A new unguessable <c>state</c> (RFC 6749 §10.12): 32 random bytes, base64url.</summary>
    public static string CreateState() => System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
