namespace McpAuth.Engine;

/// <summary>
/// Who the client is at an authorization server, in the MCP specification's order: a pre-registered client, a client
/// ID metadata document, then dynamic registration (RFC 7591); and where the user is sent back to.
/// </summary>
public sealed class ClientIdentityOptions
{
    /// <summary>The redirect URI registered for the client. Loopback makes it a native client.</summary>
    public Uri RedirectUri { get; set; } = new("http://127.0.0.1:33418/callback");

    /// <summary>A pre-registered client; used before any other identity when it applies to the issuer.</summary>
    public PreRegisteredClient? PreRegistered { get; set; }

    /// <summary>The key for <c>private_key_jwt</c> (RFC 7523 §2.2); used with <see cref="PreRegistered"/>.</summary>
    public ClientKeyOptions? Key { get; set; }

    /// <summary>
    /// The HTTPS URL of this client's metadata document, used as the client id when the authorization server sets
    /// <c>client_id_metadata_document_supported</c>.
    /// </summary>
    public Uri? MetadataDocumentUrl { get; set; }

    /// <summary>Register dynamically (RFC 7591) when no other identity applies. Default true.</summary>
    public bool DynamicRegistration { get; set; } = true;

    /// <summary>The <c>client_name</c> sent in registrations.</summary>
    public string Name { get; set; } = "McpAuth";

    /// <summary>
    /// Provides the RFC 7591 §3 initial access token sent as a bearer token with registration requests, for servers
    /// that do not register anonymous clients (Okta: https://developer.okta.com/docs/reference/api/oauth-clients/,
    /// Keycloak: https://www.keycloak.org/securing-apps/client-registration answer 401 or 403 without one). Secret:
    /// called only when a registration is sent, never logged. Null (default): anonymous registration.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? RegistrationAccessToken { get; set; }

    /// <summary>
    /// Register a new client at the next authorization even when a stored dynamic registration exists (for a server
    /// that forgot the client: its refusal shows only in the browser). The stored registration is replaced. Default false.
    /// </summary>
    public bool ForceNewRegistration { get; set; }

    /// <summary>Checks the group; called by <see cref="McpAuthOptions.Validate"/>.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidConfiguration"/> naming the option.</exception>
    public void Validate()
    {
        if (RedirectUri is not { IsAbsoluteUri: true })
        {
            throw Invalid(nameof(RedirectUri));
        }
        if (MetadataDocumentUrl is { } cimd && (cimd.Scheme != Uri.UriSchemeHttps || cimd.AbsolutePath == "/"))
        {
            throw Invalid(nameof(MetadataDocumentUrl));
        }
        PreRegistered?.Validate(Key is not null);
    }

    private static McpAuthException Invalid(string what) => new(McpAuthErrorCode.InvalidConfiguration, $"Client.{what}");
}
