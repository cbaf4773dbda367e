namespace McpAuth.Sandbox;

/// <summary>A client the sandbox authorization server knows: registered dynamically (RFC 7591) or added in code.</summary>
/// <param name="ClientId">The client identifier.</param>
/// <param name="ClientSecret">The secret of a confidential client; null for <c>none</c>.</param>
/// <param name="TokenEndpointAuthMethod"><c>none</c>, <c>client_secret_basic</c> or <c>client_secret_post</c>; enforced exactly.</param>
/// <param name="RedirectUris">The registered redirect URIs, compared by exact string match.</param>
/// <param name="GrantTypes">The grant types the client may use.</param>
/// <param name="Scope">The registered <c>scope</c> metadata, if any (informational).</param>
/// <param name="ClientName">The registered <c>client_name</c>, if any.</param>
/// <param name="PublicKeyPem">
/// For <c>private_key_jwt</c> (RFC 7523 §2.2, with <see cref="SandboxQuirks.PrivateKeyJwt"/>): the PEM public key
/// (RSA or P-256) its client assertions are checked with.
/// </param>
public sealed record SandboxClient(
    string ClientId,
    string? ClientSecret,
    string TokenEndpointAuthMethod,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> GrantTypes,
    string? Scope = null,
    string? ClientName = null,
    string? PublicKeyPem = null)
{
    public bool IsConfidential => TokenEndpointAuthMethod != SandboxAuthMethods.None;

    public bool Allows(string grantType) => GrantTypes.Contains(grantType, StringComparer.Ordinal);
}

/// <summary>RFC 7591 §2 <c>token_endpoint_auth_method</c> values the sandbox supports.</summary>
public static class SandboxAuthMethods
{
    public const string None = "none";
    public const string ClientSecretBasic = "client_secret_basic";
    public const string ClientSecretPost = "client_secret_post";

    /// <summary>RFC 7523 §2.2; only for clients added with a public key, and with <see cref="SandboxQuirks.PrivateKeyJwt"/>.</summary>
    public const string PrivateKeyJwt = "private_key_jwt";

    internal static readonly string[] All = [None, ClientSecretBasic, ClientSecretPost];
}

/// <summary>RFC 6749 grant type names.</summary>
public static class SandboxGrantTypes
{
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";
    public const string ClientCredentials = "client_credentials";

    /// <summary>RFC 7523 §2.1; accepted only with <see cref="SandboxAuthorizationServerOptions.JwtBearerAssertionValidator"/>.</summary>
    public const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    internal static readonly string[] All = [AuthorizationCode, RefreshToken, ClientCredentials];
}
