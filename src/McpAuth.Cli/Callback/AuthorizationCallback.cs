using System.Web;

namespace McpAuth.Cli.Callback;

/// <summary>
/// The parameters of an authorization response delivered to the redirect URI (RFC 6749 §4.1.2 and §4.1.2.1,
/// RFC 9207 <c>iss</c>). Holds the authorization code: never log or print it.
/// </summary>
/// <param name="State">The <c>state</c> value that routes the response to its pending flow.</param>
/// <param name="Code">The authorization code, when the server granted access.</param>
/// <param name="Issuer">The RFC 9207 <c>iss</c> parameter, when present.</param>
/// <param name="Error">The RFC 6749 §4.1.2.1 <c>error</c>, when the server refused.</param>
/// <param name="ErrorDescription">Server-controlled text: HTML-encode before showing it on a page.</param>
/// <param name="ResponseUri">The whole redirect URI as received (contains the code).</param>
public sealed record AuthorizationCallback(
    string State, string? Code, string? Issuer, string? Error, string? ErrorDescription, Uri ResponseUri)
{
    /// <summary>
    /// Reads an authorization response from a redirect URI's query. Returns null when it carries no <c>state</c>
    /// or neither a <c>code</c> nor an <c>error</c>, so it cannot be an authorization response.
    /// </summary>
    public static AuthorizationCallback? TryParse(Uri responseUri)
    {
        ArgumentNullException.ThrowIfNull(responseUri);
        if (!responseUri.IsAbsoluteUri)
        {
            return null;
        }
        var query = HttpUtility.ParseQueryString(responseUri.Query);
        var state = query["state"];
        var code = query["code"];
        var error = query["error"];
        if (string.IsNullOrEmpty(state) || (string.IsNullOrEmpty(code) && string.IsNullOrEmpty(error)))
        {
            return null;
        }
        return new AuthorizationCallback(state, NullIfEmpty(code), NullIfEmpty(query["iss"]), NullIfEmpty(error),
            NullIfEmpty(query["error_description"]), responseUri);
    }

    /// <summary>True when the server refused (an <c>error</c> parameter is present).</summary>
    public bool IsError => Error is not null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Never prints the code or the full URI.</summary>
    public override string ToString() => IsError ? $"AuthorizationCallback(error={Error})" : "AuthorizationCallback(code=***)";
}
