using System.Net;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// The user's side of an authorization request against oidc-provider in "auto" interaction mode: a browser-like
/// client with a cookie jar that follows redirects (login, consent, back to the authorization endpoint) until the one
/// to the client's redirect URI, and returns that callback URL without fetching it.
/// </summary>
public sealed class HeadlessAuthorization : IDisposable
{
    private const int MaxRedirects = 20;
    private readonly HttpClient _http;

    /// <summary>A fresh user agent (own cookies: a new login session).</summary>
    public HeadlessAuthorization()
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
    }

    /// <summary>
    /// Opens <paramref name="authorizationUrl"/> and follows redirects until one whose Location starts with
    /// <paramref name="redirectUri"/>; returns that callback URL (with code, state and iss, or an error).
    /// </summary>
    /// <exception cref="InvalidOperationException">A page answered without a redirect, or too many redirects.</exception>
    public async Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken = default)
    {
        var url = authorizationUrl;
        for (var hop = 0; hop < MaxRedirects; hop++)
        {
            using var response = await _http.GetAsync(url, cancellationToken);
            var location = response.Headers.Location;
            if (location is null)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new InvalidOperationException(
                    $"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} without a redirect:\n{body[..Math.Min(body.Length, 2000)]}");
            }

            url = location.IsAbsoluteUri ? location : new Uri(url, location);
            if (url.AbsoluteUri.StartsWith(redirectUri.AbsoluteUri, StringComparison.Ordinal))
            {
                return url;
            }
        }

        throw new InvalidOperationException($"More than {MaxRedirects} redirects without reaching {redirectUri}.");
    }

    /// <summary>Reads one query parameter of a callback URL (null when absent).</summary>
    public static string? QueryParameter(Uri callback, string name)
    {
        foreach (var pair in callback.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(separator < 0 ? pair : pair[..separator]);
            if (key == name)
            {
                return separator < 0 ? string.Empty : Uri.UnescapeDataString(pair[(separator + 1)..].Replace('+', ' '));
            }
        }

        return null;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
