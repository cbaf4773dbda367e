namespace McpAuth.Protocol;

/// <summary>
/// The parameters of an authorization response at the redirect URI (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2). The one
/// callback type of every surface (engine, DI, CLI listener and paste). Holds the authorization code: never log it.
/// </summary>
/// <param name="Code">The authorization code, when the server granted access.</param>
/// <param name="State">The <c>state</c> that routes the response to its pending flow (RFC 6749 §10.12).</param>
/// <param name="Issuer">The RFC 9207 <c>iss</c> parameter, when present.</param>
/// <param name="Error">The RFC 6749 §4.1.2.1 <c>error</c>, when the server refused.</param>
/// <param name="ErrorDescription">Server-controlled text: HTML-encode before showing it on a page.</param>
/// <param name="ErrorUri">The RFC 6749 §4.1.2.1 <c>error_uri</c>, server-controlled.</param>
public sealed record AuthorizationCallback(
    string? Code, string? State, string? Issuer, string? Error, string? ErrorDescription, string? ErrorUri = null)
{
    /// <summary>True when the server refused (an <c>error</c> parameter is present).</summary>
    public bool IsError => Error is not null;

    /// <summary>Never prints the code or the state.</summary>
    public override string ToString() => $"AuthorizationCallback {{ Issuer = {Issuer}, Error = {Error} }}";
}

/// <summary>Reads and validates an authorization response (after oauth4webapi's <c>validateAuthResponse</c>).</summary>
public static class AuthorizationResponse
{
    /// <summary>
    /// Reads the query of the callback URL (the fragment is not read: McpAuth asks for the query response mode). A
    /// parameter that appears twice makes the response invalid (RFC 6749 §3.1: parameters MUST NOT be included more
    /// than once).
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidResponse"/> on a repeated parameter.</exception>
    public static AuthorizationCallback Parse(Uri callbackUrl)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        var values = ParseQuery(callbackUrl.IsAbsoluteUri ? callbackUrl.Query : QueryOf(callbackUrl.OriginalString));
        return new AuthorizationCallback(Get(values, "code"), Get(values, "state"), Get(values, "iss"), Get(values, "error"),
            Get(values, "error_description"), Get(values, "error_uri"));
    }

    /// <summary>
    /// Reads a URL that claims to be an authorization response, for a surface that receives it (a callback endpoint,
    /// a pasted address): false when a parameter repeats (RFC 6749 §3.1), when it carries no <c>state</c>, or when it
    /// carries neither a <c>code</c> nor an <c>error</c>, so it cannot be an authorization response.
    /// </summary>
    public static bool TryParse(Uri callbackUrl, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AuthorizationCallback? callback)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        try
        {
            callback = Parse(callbackUrl);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.InvalidResponse)
        {
            callback = null;
            return false;
        }
        if (string.IsNullOrEmpty(callback.State) || (string.IsNullOrEmpty(callback.Code) && string.IsNullOrEmpty(callback.Error)))
        {
            callback = null;
            return false;
        }
        return true;
    }

    /// <summary>
    /// Validates a callback against what the client expects and returns the code. The order matters: the <c>state</c>
    /// first (RFC 6749 §10.12), then the issuer (RFC 9207 §2.4: simple string comparison, no normalization; required
    /// when the server advertises <c>authorization_response_iss_parameter_supported</c>; compared whenever present),
    /// then an error response, then the code.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/>, <see cref="McpAuthErrorCode.AuthorizationResponseIssuerMismatch"/>,
    /// <see cref="McpAuthErrorCode.AuthorizationDenied"/> (with the server's <c>error</c>), or
    /// <see cref="McpAuthErrorCode.MissingAuthorizationCode"/>.
    /// </exception>
    public static string Validate(AuthorizationCallback callback, string expectedState, string expectedIssuer, bool issuerRequired)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(expectedState);
        ArgumentNullException.ThrowIfNull(expectedIssuer);
        if (callback.State is null || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(callback.State), System.Text.Encoding.UTF8.GetBytes(expectedState)))
        {
            throw new McpAuthException(McpAuthErrorCode.StateMismatch);
        }
        if (callback.Issuer is null && issuerRequired)
        {
            throw new McpAuthException(McpAuthErrorCode.AuthorizationResponseIssuerMismatch, "iss missing but advertised");
        }
        if (callback.Issuer is not null && !string.Equals(callback.Issuer, expectedIssuer, StringComparison.Ordinal))
        {
            throw new McpAuthException(McpAuthErrorCode.AuthorizationResponseIssuerMismatch, "iss names another issuer");
        }
        if (callback.Error is not null)
        {
            throw new McpAuthException(McpAuthErrorCode.AuthorizationDenied)
            {
                OAuthError = callback.Error,
                OAuthErrorDescription = callback.ErrorDescription,
            };
        }
        return string.IsNullOrEmpty(callback.Code) ? throw new McpAuthException(McpAuthErrorCode.MissingAuthorizationCode) : callback.Code;
    }

    /// <summary>Parses an application/x-www-form-urlencoded query ('+' is a space).</summary>
    internal static Dictionary<string, List<string>> ParseQuery(string query)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? part : part[..equals]);
            var value = equals < 0 ? "" : Decode(part[(equals + 1)..]);
            if (!result.TryGetValue(name, out var list))
            {
                result[name] = list = [];
            }
            list.Add(value);
        }
        return result;
    }

    /// <summary>The query of a relative reference ("?a=b" or "/cb?a=b#f"), without its fragment.</summary>
    private static string QueryOf(string reference)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var withoutFragment = hash < 0 ? reference : reference[..hash];
        var question = withoutFragment.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? withoutFragment : withoutFragment[question..];
    }

    private static string? Get(Dictionary<string, List<string>> values, string name)
    {
        if (!values.TryGetValue(name, out var list))
        {
            return null;
        }
        return list.Count == 1 ? list[0] : throw new McpAuthException(McpAuthErrorCode.InvalidResponse, $"authorization response repeats '{name}'");
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
