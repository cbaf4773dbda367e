namespace McpAuth.Engine;

/// <summary>
/// The fixed hints (<see cref="McpAuthException.Hint"/>) for failures a provider quirk causes, each naming the CLI flag
/// and the library option that fix it (like <c>gh</c>'s hints). One place, so the CLI and the library say the same.
/// </summary>
public static class ProviderHints
{
    /// <summary>No client identity: no pre-registered client, no metadata document support, no registration endpoint.</summary>
    public const string NoClientIdentity =
        "Pass the client id of an application registered at the authorization server with --client-id (and its secret with "
        + "--client-secret-env) (McpAuthOptions.Client.PreRegistered).";

    /// <summary>The registration endpoint refused an anonymous registration (Okta, Keycloak: 401 or 403).</summary>
    public const string RegistrationRefused =
        "This server does not register clients anonymously: pass the client id of an application registered there with "
        + "--client-id, or an initial access token with --registration-token-env (McpAuthOptions.Client.PreRegistered, "
        + "McpAuthOptions.Client.RegistrationAccessToken).";

    /// <summary>The registration endpoint refused the initial access token that was sent.</summary>
    public const string RegistrationTokenRefused =
        "The registration endpoint refused the initial access token (--registration-token-env): it may have expired or "
        + "been used up; get a new one, or pass a client id with --client-id.";

    /// <summary>A login with a dynamic registration ended without a callback.</summary>
    public const string UnfinishedLogin =
        "If the authorization page showed an error about the client, the server may have forgotten the client McpAuth "
        + "registered: the next login registers a new one (force it with login --new-registration, "
        + "McpAuthOptions.Client.ForceNewRegistration).";
}
