using System.Net;
using System.Text.RegularExpressions;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// The user's side of an authorization request against oidc-provider in "auto" interaction mode: a browser-like
/// client with a cookie jar that follows redirects (login, consent, back to the authorization endpoint) until the one
/// to the client's redirect URI, and returns that callback URL without fetching it. It also approves device
/// authorization requests (RFC 8628 §3.3) by submitting the server's user-code forms.
/// </summary>
public sealed class HeadlessAuthorization : IDisposable
{
    private const int MaxRedirects = 20;
    private static readonly Regex PostForm = new("<form[^>]*method=\"post\"[^>]*action=\"(?<action>[^\"]*)\"[^>]*>(?<body>.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase);
    private static readonly Regex Field = new("<(?:input|button)[^>]*name=\"(?<name>[^\"]*)\"[^>]*value=\"(?<value>[^\"]*)\"", RegexOptions.IgnoreCase);
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

    /// <summary>
    /// Opens a device flow's <c>verification_uri_complete</c> and submits the server's forms (user code, confirmation),
    /// following redirects through login and consent, until a page without a form: the success page, returned as HTML.
    /// </summary>
    /// <exception cref="InvalidOperationException">An error status, or too many steps.</exception>
    public async Task<string> ApproveDeviceCodeAsync(Uri verificationUriComplete, CancellationToken cancellationToken = default)
    {
        var url = verificationUriComplete;
        var response = await _http.GetAsync(url, cancellationToken);
        for (var step = 0; step < MaxRedirects; step++)
        {
            string? page;
            (url, page, response) = await SubmitOrFollowAsync(url, response, cancellationToken);
            if (page is not null)
            {
                return page;
            }
        }

        response.Dispose();
        throw new InvalidOperationException($"More than {MaxRedirects} steps approving the device code.");
    }

    // One step of the device flow pages: follow a redirect, submit a form, or return a page without a form.
    private async Task<(Uri Url, string? Page, HttpResponseMessage Next)> SubmitOrFollowAsync(
        Uri url, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            if (response.Headers.Location is { } location)
            {
                var target = location.IsAbsoluteUri ? location : new Uri(url, location);
                return (target, null, await _http.GetAsync(target, cancellationToken));
            }

            var html = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}:\n{html}");
            }

            var form = PostForm.Match(html);
            if (!form.Success)
            {
                return (url, html, response);
            }

            var action = new Uri(url, WebUtility.HtmlDecode(form.Groups["action"].Value));
            var fields = Field.Matches(form.Groups["body"].Value)
                .Where(f => f.Groups["name"].Value != "abort")
                .ToDictionary(f => f.Groups["name"].Value, f => WebUtility.HtmlDecode(f.Groups["value"].Value));
            using var content = new FormUrlEncodedContent(fields);
            return (action, null, await _http.PostAsync(action, content, cancellationToken));
        }
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
