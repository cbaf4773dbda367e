using System.Buffers.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace McpAuth.Sandbox;

/// <summary>
/// The authorization endpoint (RFC 6749 §4.1.1), approving at once with no page: it validates the request and
/// answers 302 to <c>redirect_uri?code&amp;state&amp;iss</c> (RFC 9207). PKCE S256 is required (RFC 7636, OAuth 2.1).
/// Errors about the client or the redirect URI are answered here (400), never redirected (RFC 6749 §4.1.2.1).
/// </summary>
internal static class AuthorizeEndpointHandler
{
    public static Task HandleAsync(HttpContext context, SandboxAuthorizationServer server)
    {
        var query = FormRequest.FromQuery(context.Request.Query);
        foreach (var name in query.Names)
        {
            server.Stats.Increment(SandboxCounters.AuthorizeParameter(name));
        }
        if (query.IsRepeated("client_id") || query.IsRepeated("redirect_uri"))
        {
            return JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest("client_id or redirect_uri sent more than once"));
        }
        var client = server.ClientTable.Find(query.Get("client_id"));
        if (client is null)
        {
            return JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest("unknown client_id"));
        }
        var redirectUri = ResolveRedirectUri(client, query.Get("redirect_uri"), server.Options.Quirks);
        if (redirectUri is null)
        {
            return JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest("redirect_uri does not match a registered one exactly"));
        }
        var state = query.Get("state");
        var error = Validate(query, client, server);
        if (error is not null)
        {
            return Redirect(context, redirectUri, server, state, ("error", error.Code), ("error_description", error.Description));
        }
        var scope = ScopeSet.Parse(query.Get("scope"));
        var entry = new AuthorizationCodeEntry(
            client.ClientId,
            server.Options.Subject,
            query.Get("redirect_uri"),
            query.Get("code_challenge")!,
            scope.IsEmpty ? ScopeSet.Parse(server.Options.DefaultScope) : scope,
            ProviderRequestRules.AuthorizedResource(query, server.Options.Quirks))
        {
            AllowsRefreshToken = ProviderRequestRules.AllowsRefreshToken(query, server.Options.Quirks),
        };
        var code = server.Tokens.CreateCode(entry);
        return Redirect(context, redirectUri, server, state, ("code", code));
    }

    /// <summary>The registered URI the request names exactly, or the only registered one when it names none.</summary>
    private static string? ResolveRedirectUri(SandboxClient client, string? requested, SandboxQuirks quirks) =>
        requested is null
            ? client.RedirectUris.Count == 1 ? client.RedirectUris[0] : null
            : client.RedirectUris.Any(r => ProviderRequestRules.RedirectUriMatches(r, requested, quirks)) ? requested : null;

    private static OAuthError? Validate(FormRequest query, SandboxClient client, SandboxAuthorizationServer server)
    {
        if (query.FindDuplicate("resource") is { } duplicate)
        {
            return OAuthError.InvalidRequest(duplicate + " sent more than once");
        }
        var responseType = query.Get("response_type");
        if (responseType is null)
        {
            return OAuthError.InvalidRequest("response_type is required");
        }
        if (responseType != "code")
        {
            return new OAuthError("unsupported_response_type", "only response_type=code is supported");
        }
        if (!client.Allows(SandboxGrantTypes.AuthorizationCode))
        {
            return OAuthError.UnauthorizedClient("client is not registered for authorization_code");
        }
        return ProviderRequestRules.CheckAuthorize(query, server.Options.Quirks)
            ?? ValidatePkce(query)
            ?? server.ValidateScope(query.Get("scope"))
            ?? (server.Options.Quirks.AudienceInsteadOfResource ? null : server.ValidateResources(query.GetAll("resource")));
    }

    /// <summary>RFC 7636 §4.3: a 43-character base64url S256 challenge; <c>plain</c> and a missing method are refused.</summary>
    private static OAuthError? ValidatePkce(FormRequest query)
    {
        var challenge = query.Get("code_challenge");
        if (challenge is null)
        {
            return OAuthError.InvalidRequest("code_challenge is required (PKCE)");
        }
        if (query.Get("code_challenge_method") != "S256")
        {
            return OAuthError.InvalidRequest("code_challenge_method must be S256");
        }
        return challenge.Length == 43 && challenge.All(IsBase64UrlChar)
            ? null
            : OAuthError.InvalidRequest("code_challenge is not a base64url SHA-256 value");
    }

    private static bool IsBase64UrlChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static Task Redirect(
        HttpContext context, string redirectUri, SandboxAuthorizationServer server, string? state, params (string Name, string? Value)[] parameters)
    {
        var values = parameters.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string?>(p.Name, p.Value)).ToList();
        if (state is not null)
        {
            values.Add(new("state", state));
        }
        values.Add(new("iss", server.IssuerIdentifier));
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = QueryHelpers.AddQueryString(redirectUri, values);
        context.Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }
}
