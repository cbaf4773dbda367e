using System.Net;
using System.Security.Cryptography;
using McpAuth.Engine;

namespace McpAuth.Cli.Callback;

/// <summary>
/// The HTML page the browser shows after the redirect. Every piece of text is HTML-encoded (server text such as
/// <c>error_description</c> is hostile until proven otherwise), and a nonce-locked script replaces the address bar URL
/// with <see cref="DonePath"/> so the authorization code does not linger in the address bar or history.
/// </summary>
public static class CallbackPage
{
    /// <summary>The clean path shown in the address bar once the page has loaded.</summary>
    public const string DonePath = "/done";

    /// <summary>A rendered page and the Content-Security-Policy that allows only its own script.</summary>
    public sealed record Rendered(string Html, string ContentSecurityPolicy);

    /// <summary>Renders the page for <paramref name="outcome"/>.</summary>
    public static Rendered Render(CallbackOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var title = WebUtility.HtmlEncode(outcome.Title);
        var detail = WebUtility.HtmlEncode(outcome.Detail);
        var color = outcome.Succeeded ? "#1a7f37" : "#cf222e";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="referrer" content="no-referrer">
            <title>McpAuth: {{title}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em}h1{color:{{color}}}</style>
            </head>
            <body>
            <h1>{{title}}</h1>
            <p>{{detail}}</p>
            <script nonce="{{nonce}}">history.replaceState(null, "", "{{DonePath}}");</script>
            </body>
            </html>
            """;
        var csp = $"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return new Rendered(html, csp);
    }

    /// <summary>The outcome shown when a redirect could not be routed to a pending login.</summary>
    public static CallbackOutcome Refused(CallbackDeliveryStatus status) => status switch
    {
        CallbackDeliveryStatus.NotAnAuthorizationResponse => CallbackOutcome.Failure(
            "This address expects an authorization response (state and code or error)."),
        CallbackDeliveryStatus.Replayed => CallbackOutcome.Failure(
            "This authorization response was already used. Start a new login in the terminal if you still need one."),
        CallbackDeliveryStatus.Expired => CallbackOutcome.Failure(
            "This login waited too long and expired. Run mcpauth login again."),
        _ => CallbackOutcome.Failure(
            "This authorization response does not belong to any login in progress. Run mcpauth login again."),
    };

    /// <summary>
    /// The outcome shown once the engine is done with a delivered response (<see cref="CallbackDelivery.Finished"/>):
    /// null means the token is stored.
    /// </summary>
    public static CallbackOutcome Finished(Exception? error) => error switch
    {
        null => CallbackOutcome.Success("McpAuth is logged in. You can close this tab and return to the terminal."),
        McpAuthException e => CallbackOutcome.Failure(Describe(e)),
        _ => CallbackOutcome.Failure("The login failed. Return to the terminal to see why."),
    };

    /// <summary>The page text for a failed login; the page HTML-encodes it (server text included).</summary>
    public static string Describe(McpAuthException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var server = exception.OAuthError is null ? "" : $" The server said: {exception.OAuthError}" +
            (exception.OAuthErrorDescription is null ? "." : $": {exception.OAuthErrorDescription}");
        return McpAuthException.Describe(exception.Code) + server;
    }
}
