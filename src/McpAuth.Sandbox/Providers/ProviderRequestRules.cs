namespace McpAuth.Sandbox;

/// <summary>
/// How the <see cref="SandboxQuirks"/> change what the authorization and token endpoints accept. Each rule is a no-op
/// when its quirk is off; the sources are on <see cref="SandboxQuirks"/>.
/// </summary>
internal static class ProviderRequestRules
{
    /// <summary>Entra: a <c>resource</c> on the authorization request is an error (AADSTS901002).</summary>
    public static OAuthError? CheckAuthorize(FormRequest query, SandboxQuirks quirks) =>
        quirks.RejectResourceParameter && query.Has("resource")
            ? OAuthError.InvalidRequest("AADSTS901002: The 'resource' request parameter is not supported.")
            : null;

    /// <summary>Entra: a <c>resource</c> on a token request is an error (AADSTS9010010).</summary>
    public static OAuthError? CheckToken(FormRequest form, SandboxQuirks quirks) =>
        quirks.RejectResourceParameter && form.Has("resource")
            ? OAuthError.InvalidRequest("AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.")
            : null;

    /// <summary>Auth0: the grant's audience is the <c>audience</c> parameter; <c>resource</c> is ignored.</summary>
    public static string? AuthorizedResource(FormRequest query, SandboxQuirks quirks) =>
        quirks.AudienceInsteadOfResource ? query.Get("audience") : query.GetAll("resource").SingleOrDefault();

    /// <summary>Google: whether the authorization request asked for offline access (a refresh token).</summary>
    public static bool AllowsRefreshToken(FormRequest query, SandboxQuirks quirks) =>
        quirks.RefreshTokenRequiresAuthorizeParameter is not { } required || query.Get(required.Name) == required.Value;

    /// <summary>
    /// Whether <paramref name="requested"/> is the registered URI: exactly, or (RFC 8252 §7.3, when the quirk is on)
    /// a loopback URI that differs only in its port.
    /// </summary>
    public static bool RedirectUriMatches(string registered, string requested, SandboxQuirks quirks)
    {
        if (string.Equals(registered, requested, StringComparison.Ordinal))
        {
            return true;
        }
        return quirks.LoopbackRedirectAnyPort
            && Uri.TryCreate(registered, UriKind.Absolute, out var a) && Uri.TryCreate(requested, UriKind.Absolute, out var b)
            && a.IsLoopback && a.Scheme == Uri.UriSchemeHttp && b.Scheme == a.Scheme && b.Host == a.Host
            && string.Equals(a.PathAndQuery, b.PathAndQuery, StringComparison.Ordinal);
    }
}
