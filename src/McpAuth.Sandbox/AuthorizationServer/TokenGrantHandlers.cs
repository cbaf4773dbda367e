using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Sandbox;

/// <summary>The three grants of the token endpoint, after client authentication.</summary>
internal static class TokenGrantHandlers
{
    /// <summary>RFC 6749 §4.1.3 with RFC 7636 §4.6 (PKCE) and RFC 8707 §2.2 (resource).</summary>
    public static TokenOutcome AuthorizationCode(FormRequest form, SandboxClient client, SandboxAuthorizationServer server)
    {
        var code = form.Get("code");
        var verifier = form.Get("code_verifier");
        if (code is null || verifier is null)
        {
            return OAuthError.InvalidRequest("code and code_verifier are required");
        }
        if (!IsValidVerifier(verifier))
        {
            return OAuthError.InvalidRequest("code_verifier must be 43-128 unreserved characters");
        }
        var entry = server.Tokens.TakeCode(code, client.ClientId, out var failure);
        if (entry is null)
        {
            return OAuthError.InvalidGrant(failure!);
        }
        if (!RedirectUriMatches(entry, form.Get("redirect_uri"), client))
        {
            return OAuthError.InvalidGrant("redirect_uri differs from the authorization request");
        }
        if (!ChallengeMatches(verifier, entry.CodeChallenge))
        {
            return OAuthError.InvalidGrant("code_verifier does not match the code_challenge");
        }
        var resource = ResolveResource(form, entry.Resource, server, out var resourceError);
        if (resourceError is not null)
        {
            return resourceError;
        }
        var grant = server.Tokens.StartGrant(entry, resource);
        return server.Tokens.Issue(grant, grant.Scope, entry.AllowsRefreshToken && IssuesRefreshToken(client, grant.Scope, server.Options));
    }

    /// <summary>RFC 6749 §6: rotation, scope never wider than granted, resource never changed.</summary>
    public static TokenOutcome RefreshToken(FormRequest form, SandboxClient client, SandboxAuthorizationServer server)
    {
        var refreshToken = form.Get("refresh_token");
        if (refreshToken is null)
        {
            return OAuthError.InvalidRequest("refresh_token is required");
        }
        var requested = ScopeSet.Parse(form.Get("scope"));
        var quirks = server.Options.Quirks;
        var resources = quirks.AudienceInsteadOfResource ? [] : form.GetAll("resource");
        var grant = server.Tokens.UseRefreshToken(refreshToken, client.ClientId, g => CheckRefresh(g, requested, resources), out var failure);
        if (grant is null)
        {
            return failure!;
        }
        return server.Tokens.Issue(grant, requested.IsEmpty ? grant.Scope : requested, withRefreshToken: !quirks.NetSuiteResponses);
    }

    /// <summary>RFC 6749 §4.4: confidential clients only, no refresh token (§4.4.3).</summary>
    public static TokenOutcome ClientCredentials(FormRequest form, SandboxClient client, SandboxAuthorizationServer server)
    {
        if (!client.IsConfidential)
        {
            return OAuthError.UnauthorizedClient("client_credentials needs a confidential client");
        }
        return IssueWithoutRefreshToken(form, client, client.ClientId, server);
    }

    /// <summary>
    /// RFC 7523 §2.1: the assertion is checked by <see cref="SandboxAuthorizationServerOptions.JwtBearerAssertionValidator"/>
    /// (the sandbox does not verify JWTs itself); confidential clients only, no refresh token.
    /// </summary>
    public static TokenOutcome JwtBearer(FormRequest form, SandboxClient client, SandboxAuthorizationServer server)
    {
        if (form.Get("assertion") is not { } assertion)
        {
            return OAuthError.InvalidRequest("assertion is required");
        }
        if (server.Options.JwtBearerAssertionValidator!(assertion) is not { } subject)
        {
            return OAuthError.InvalidGrant("assertion refused");
        }
        return IssueWithoutRefreshToken(form, client, subject, server);
    }

    /// <summary>The requested (or default) scope and resource, checked; an access token for <paramref name="subject"/> only.</summary>
    private static TokenOutcome IssueWithoutRefreshToken(FormRequest form, SandboxClient client, string subject, SandboxAuthorizationServer server)
    {
        var scopeText = form.Get("scope");
        if (server.ValidateScope(scopeText) is { } scopeError)
        {
            return scopeError;
        }
        var resource = ResolveResource(form, null, server, out var resourceError);
        if (resourceError is not null)
        {
            return resourceError;
        }
        var scope = ScopeSet.Parse(scopeText ?? server.Options.DefaultScope);
        return server.Tokens.Issue(new Grant(client.ClientId, subject, scope, resource), scope, withRefreshToken: false);
    }

    private static OAuthError? CheckRefresh(Grant grant, ScopeSet requested, IReadOnlyList<string> resources)
    {
        if (!requested.IsSubsetOf(grant.Scope))
        {
            return OAuthError.InvalidScope("requested scope exceeds the scope originally granted");
        }
        return resources.Count == 0 || (resources.Count == 1 && resources[0] == grant.Resource)
            ? null
            : OAuthError.InvalidTarget("resource differs from the one granted");
    }

    /// <summary>
    /// The resource of the tokens: the one of the authorization request, which the token request may repeat but not
    /// change; or, when the authorization request had none, a valid one named in the token request.
    /// </summary>
    private static string? ResolveResource(FormRequest form, string? authorized, SandboxAuthorizationServer server, out OAuthError? error)
    {
        if (server.Options.Quirks.AudienceInsteadOfResource)
        {
            error = null;
            return authorized; // Auth0 ignores resource: the audience was fixed by the authorization request
        }
        var requested = form.GetAll("resource");
        error = authorized is not null
            ? requested.Count == 0 || (requested.Count == 1 && requested[0] == authorized) ? null : OAuthError.InvalidTarget("resource differs from the authorization request")
            : server.ValidateResources(requested);
        return error is null ? authorized ?? requested.SingleOrDefault() : null;
    }

    private static bool IssuesRefreshToken(SandboxClient client, ScopeSet scope, SandboxAuthorizationServerOptions options) =>
        client.Allows(SandboxGrantTypes.RefreshToken) && (!options.RefreshTokensRequireOfflineAccess || scope.Contains("offline_access"));

    /// <summary>RFC 6749 §4.1.3: identical to the authorization request's, or absent when that request had none.</summary>
    private static bool RedirectUriMatches(AuthorizationCodeEntry entry, string? redirectUri, SandboxClient client) =>
        entry.RedirectUriParameter is not null
            ? redirectUri == entry.RedirectUriParameter
            : redirectUri is null || client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal);

    /// <summary>RFC 7636 §4.1: 43-128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".</summary>
    private static bool IsValidVerifier(string verifier) =>
        verifier.Length is >= 43 and <= 128 && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge.</summary>
    private static bool ChallengeMatches(string verifier, string challenge)
    {
        var computed = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }
}
