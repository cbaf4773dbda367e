using McpAuth.Http;

namespace McpAuth.Engine;

/// <summary>Takes the user through the authorization URL and returns the callback URL the server redirected to.</summary>
public interface IAuthorizationInteraction
{
    /// <summary>
    /// Sends the user to <paramref name="authorizationUrl"/> and returns the full URL the authorization server redirected
    /// to at <paramref name="redirectUri"/> (with <c>code</c>, <c>state</c>, <c>iss</c> or an error).
    /// </summary>
    Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken);
}

/// <summary>
/// Authorization without a user: sends the authorization request through <see cref="OAuthHttpClient"/> (the one
/// sender: endpoint policy, timeout, header limits), does not follow the redirect, and takes the callback from its
/// <c>Location</c>. For servers that authorize at once (test servers, pre-consented machine clients).
/// </summary>
public sealed class HeadlessAuthorizationInteraction : IAuthorizationInteraction
{
    private readonly OAuthHttpClient _http;

    /// <param name="http">
    /// A client that does not follow redirects (see <see cref="OAuthHttpClient.CreateDefaultHandler"/>); a redirect it
    /// followed would lose the code.
    /// </param>
    /// <param name="options">Request limits.</param>
    public HeadlessAuthorizationInteraction(HttpClient http, OAuthHttpOptions? options = null)
    {
        _http = new OAuthHttpClient(http ?? throw new ArgumentNullException(nameof(http)), options);
    }

    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InteractionRequired"/> when the server does not redirect to the redirect URI at once;
    /// <see cref="McpAuthErrorCode.Timeout"/>, <see cref="McpAuthErrorCode.TransportFailure"/> or an endpoint policy error.
    /// </exception>
    public async Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorizationUrl);
        ArgumentNullException.ThrowIfNull(redirectUri);
        using var request = new HttpRequestMessage(HttpMethod.Get, authorizationUrl);
        var target = await _http.ReadRedirectAsync(request, cancellationToken).ConfigureAwait(false);
        if (target is not null && IsRedirectUri(target, redirectUri))
        {
            return target;
        }
        var redacted = EndpointPolicy.Redact(authorizationUrl);
        throw new McpAuthException(McpAuthErrorCode.InteractionRequired, redacted.ToString()) { Endpoint = redacted };
    }

    private static bool IsRedirectUri(Uri target, Uri redirectUri) =>
        Uri.Compare(target, redirectUri, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped,
            StringComparison.OrdinalIgnoreCase) == 0;
}
