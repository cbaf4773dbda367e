using McpAuth.Cli.Callback;
using McpAuth.Engine;

namespace McpAuth.Cli.Commands.Login;

/// <summary>What <c>mcpauth login</c> was asked to do, after parsing and validation.</summary>
public sealed record LoginOptions
{
    public required Uri Server { get; init; }
    public string Profile { get; init; } = CommonOptions.DefaultProfile;
    /// <summary>A pre-registered client id; null to reuse or create a registration.</summary>
    public string? ClientId { get; init; }
    /// <summary>The client secret (from an environment variable or a hidden prompt). Never printed.</summary>
    public string? ClientSecret { get; init; }
    /// <summary>A client ID metadata document URL to use as the client id.</summary>
    public Uri? ClientMetadataUrl { get; init; }
    /// <summary>Space-separated scopes to request; null for the server's defaults.</summary>
    public string? Scope { get; init; }
    public LoopbackListenerOptions Callback { get; init; } = new();
    /// <summary>Print the URL and wait instead of opening a browser.</summary>
    public bool NoBrowser { get; init; }
    /// <summary>Use the device authorization grant (RFC 8628) instead of a redirect.</summary>
    public bool Device { get; init; }
    /// <summary>Cancel a login already in progress for this server and profile instead of joining it.</summary>
    public bool Replace { get; init; }
    /// <summary>How long to wait for the user before giving up.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    public bool Json { get; init; }
    /// <summary>
    /// The provider settings given on this command line (resource choice, extra parameters, audience, authentication
    /// method, PKCE opt-in, trusted issuer, key file); merged over the remembered ones. <see cref="ClientId"/> is kept
    /// here too.
    /// </summary>
    public LoginSettings Settings { get; init; } = LoginSettings.Empty;
    /// <summary>The RFC 7591 initial access token for registration (Okta, Keycloak). Secret, never printed.</summary>
    public string? RegistrationToken { get; init; }
    /// <summary>Register a new client even when a stored registration exists.</summary>
    public bool NewRegistration { get; init; }
    /// <summary>The private_key_jwt key read from --client-key-file or --client-key-env. Secret, never printed.</summary>
    public ClientKeyOptions? ClientKey { get; init; }

    public override string ToString() =>
        $"LoginOptions {{ Server = {Server}, Profile = {Profile}, ClientId = {ClientId}, ClientSecret = {(ClientSecret is null ? "none" : "***")}, "
        + $"RegistrationToken = {(RegistrationToken is null ? "none" : "***")}, Settings = {Settings} }}";
}
