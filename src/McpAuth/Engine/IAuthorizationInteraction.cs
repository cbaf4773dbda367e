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
/// Authorization without a user: fetches the authorization URL itself, does not follow the redirect, and takes the
/// callback from <c>Location</c>. For servers that authorize at once (test servers, pre-consented machine clients).
/// </summary>
public sealed class HeadlessAuthorizationInteraction : IAuthorizationInteraction
{
    private readonly HttpClient _http;
    private readonly OAuthHttpOptions _options;

    /// <param name="http">
    /// A client that does not follow redirects (see <see cref="OAuthHttpClient.CreateDefaultHandler"/>); a redirect it
    /// followed would lose the code.
    /// </param>
    /// <param name="options">Request limits.</param>
    public HeadlessAuthorizationInteraction(HttpClient http, OAuthHttpOptions? options = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? new OAuthHttpOptions();
    }

    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InteractionRequired"/> when the server does not redirect to the redirect URI at once;
    /// <see cref="McpAuthErrorCode.Timeout"/>, <see cref="McpAuthErrorCode.TransportFailure"/> or an endpoint policy error.
    /// </exception>
    public async Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorizationUrl);
        ArgumentNullException.ThrowIfNull(redirectUri);
        EndpointPolicy.Validate(authorizationUrl, _options.DangerouslyAllowLinkLocalAddresses);
        var redacted = EndpointPolicy.Redact(authorizationUrl);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, authorizationUrl);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (response.Headers.Location is { } location)
            {
                var target = location.IsAbsoluteUri ? location : new Uri(authorizationUrl, location);
                if (IsRedirectUri(target, redirectUri))
                {
                    return target;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            throw new McpAuthException(McpAuthErrorCode.Timeout, redacted.ToString(), e) { Endpoint = redacted };
        }
        catch (HttpRequestException e)
        {
            throw new McpAuthException(McpAuthErrorCode.TransportFailure, redacted.ToString(), e) { Endpoint = redacted };
        }
        throw new McpAuthException(McpAuthErrorCode.InteractionRequired, redacted.ToString()) { Endpoint = redacted };
    }

    private static bool IsRedirectUri(Uri target, Uri redirectUri) =>
        Uri.Compare(target, redirectUri, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped,
            StringComparison.OrdinalIgnoreCase) == 0;
}
