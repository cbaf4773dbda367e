namespace McpAuth.Sandbox;

/// <summary>
/// Documented behaviours of real authorization servers that bend OAuth, for the provider profile suite
/// (tests/McpAuth.Cli.Tests/EndToEnd/Providers, docs/providers.md). Each switch is off by default, so a sandbox
/// without quirks behaves as before; each names the public source that documents it.
/// </summary>
public sealed record SandboxQuirks
{
    /// <summary>No quirk: the standard sandbox.</summary>
    public static SandboxQuirks None { get; } = new();

    /// <summary>
    /// Microsoft Entra ID v2.0: <c>resource</c> on the authorization request is refused (AADSTS901002) and on token
    /// requests too (AADSTS9010010); the API is named in the scope instead.
    /// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
    /// </summary>
    public bool RejectResourceParameter { get; init; }

    /// <summary>
    /// Microsoft Entra ID: the metadata lists no <c>code_challenge_methods_supported</c>, though S256 works.
    /// https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration
    /// </summary>
    public bool OmitCodeChallengeMethods { get; init; }

    /// <summary>
    /// No RFC 7591 registration endpoint (Entra, Google, GitHub, Slack, Atlassian, NetSuite: apps are registered in a
    /// console and get a client id, and most a secret). <c>/register</c> answers 404 and the metadata omits it.
    /// </summary>
    public bool NoRegistrationEndpoint { get; init; }

    /// <summary>
    /// No RFC 7009 revocation endpoint (Entra; GitHub, Slack and Atlassian revoke through their own APIs, not RFC 7009).
    /// </summary>
    public bool NoRevocationEndpoint { get; init; }

    /// <summary>
    /// Google: a refresh token is issued only when the authorization request said <c>access_type=offline</c>
    /// (https://developers.google.com/identity/protocols/oauth2/web-server#offline). The (name, value) to require.
    /// </summary>
    public (string Name, string Value)? RefreshTokenRequiresAuthorizeParameter { get; init; }

    /// <summary>
    /// RFC 8252 §7.3: a loopback redirect URI matches a registered one whatever its port (Google's and Entra's
    /// desktop apps, GitHub, Slack). Off: exact match, port included (Atlassian:
    /// https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/ refuses any other callback URL on its own page).
    /// </summary>
    public bool LoopbackRedirectAnyPort { get; init; }

    /// <summary>
    /// GitHub: errors answered with HTTP 200 and GitHub's own codes: <c>bad_refresh_token</c>,
    /// <c>bad_verification_code</c>, <c>incorrect_client_credentials</c>
    /// (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens,
    /// https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors),
    /// and a lower-case <c>token_type</c> <c>bearer</c> with <c>refresh_token_expires_in</c>.
    /// </summary>
    public bool GitHubResponses { get; init; }

    /// <summary>
    /// Slack <c>oauth.v2.access</c>: <c>{"ok": true, ..., "authed_user": {access_token, token_type: "user",
    /// refresh_token, expires_in}}</c> for the code exchange, <c>token_type</c> <c>user</c> on refresh, and every error
    /// as HTTP 200 <c>{"ok": false, "error": "invalid_refresh_token"}</c> (https://api.slack.com/methods/oauth.v2.access,
    /// https://api.slack.com/authentication/rotation).
    /// </summary>
    public bool SlackResponses { get; init; }

    /// <summary>
    /// NetSuite: <c>expires_in</c> sent as a string (<c>"3600"</c>), members sent as <c>null</c>, and a refresh that
    /// returns no new refresh token (the old one stays valid)
    /// (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158081952044.html,
    /// https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_160855594402.html).
    /// </summary>
    public bool NetSuiteResponses { get; init; }

    /// <summary>
    /// Auth0: <c>resource</c> is ignored; the token's audience is the API named by <c>audience</c>, and without it the
    /// token has none (an opaque token the MCP server cannot use)
    /// (https://auth0.com/docs/secure/tokens/access-tokens/get-access-tokens).
    /// </summary>
    public bool AudienceInsteadOfResource { get; init; }

    /// <summary>
    /// Okta and Keycloak: registration needs an RFC 7591 §3 initial access token (<c>Authorization: Bearer</c>); without
    /// it 401, with a wrong one 403 (https://developer.okta.com/docs/reference/api/oauth-clients/,
    /// https://www.keycloak.org/securing-apps/client-registration). Null: open registration.
    /// </summary>
    public string? RegistrationInitialAccessToken { get; init; }

    /// <summary>
    /// A used refresh token is accepted again for this long after its rotation (and answered with a new pair) instead of
    /// revoking the grant, as servers with a reuse grace window do (Linear, Okta's grace period:
    /// https://developer.okta.com/docs/guides/refresh-tokens/main/#refresh-token-rotation). Zero: replay revokes the grant.
    /// </summary>
    public TimeSpan RefreshTokenReuseGrace { get; init; }

    /// <summary>
    /// Keycloak: <c>private_key_jwt</c> client authentication (RFC 7523 §2.2) for clients added with a public key
    /// (https://www.keycloak.org/docs/latest/server_admin/#_client-credentials). Listed in the metadata when on.
    /// </summary>
    public bool PrivateKeyJwt { get; init; }

    /// <summary>
    /// Google: the MCP server's resource metadata names the issuer with a trailing slash
    /// (<c>https://accounts.google.com/</c>) while the authorization server's metadata says it without one
    /// (https://accounts.google.com/.well-known/openid-configuration); RFC 8414 §3.3 says they must be identical.
    /// </summary>
    public bool IssuerWithTrailingSlashInResourceMetadata { get; init; }
}
