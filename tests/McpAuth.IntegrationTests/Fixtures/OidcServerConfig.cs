using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// Configuration of tests/js/oidc-server.mjs (oidc-provider 9). Null members keep the server's defaults
/// (see tests/js/oidc-config.mjs): auto interaction, scopes "mcp:read mcp:write" on every loopback resource,
/// opaque access tokens for one hour, refresh token rotation with replay detection, PKCE S256 required,
/// open dynamic registration.
/// </summary>
public sealed record OidcServerConfig
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>"auto" (log in and consent at once, for headless clients) or "html" (real login and consent pages).</summary>
    public string? Interaction { get; init; }

    /// <summary>The account "auto" mode logs in.</summary>
    public string? AccountId { get; init; }

    /// <summary>Space-separated scopes every loopback resource server (RFC 8707) offers.</summary>
    public string? Scopes { get; init; }

    /// <summary>More scopes usable without a resource indicator.</summary>
    public IReadOnlyList<string>? ExtraScopes { get; init; }

    /// <summary>"opaque" or "jwt".</summary>
    public string? AccessTokenFormat { get; init; }

    /// <summary>Access token lifetime in seconds (short ones for refresh tests).</summary>
    public int? AccessTokenTtl { get; init; }

    /// <summary>Refresh token (and grant) lifetime in seconds.</summary>
    public int? RefreshTokenTtl { get; init; }

    /// <summary>Rotate refresh tokens (default true; a rotated one replayed revokes the grant).</summary>
    public bool? RotateRefreshToken { get; init; }

    /// <summary>
    /// [min, max] milliseconds: each refresh_token answer is held a random time in that range after the token was rotated
    /// (a slow authorization server); <see cref="OidcServerStats.RefreshAnswersLost"/> counts clients gone by then.
    /// </summary>
    public IReadOnlyList<int>? RefreshDelayMs { get; init; }

    /// <summary>Require PKCE (default true).</summary>
    public bool? RequirePkce { get; init; }

    /// <summary>Open dynamic client registration (default true).</summary>
    public bool? Registration { get; init; }

    /// <summary>Token endpoint authentication methods the server accepts.</summary>
    public IReadOnlyList<string>? ClientAuthMethods { get; init; }

    /// <summary>
    /// Refuse a client that authenticates with another method than its registered token_endpoint_auth_method
    /// (secret in the body vs HTTP Basic), and HTTP Basic with client_id in the body, as strict servers do
    /// (default true; oidc-provider alone accepts both).
    /// </summary>
    public bool? StrictClientAuth { get; init; }

    /// <summary>Pre-registered clients: RFC 7591 metadata objects with client_id (and client_secret).</summary>
    public IReadOnlyList<JsonObject>? Clients { get; init; }

    /// <summary>Client ids (resource servers) allowed to introspect any token.</summary>
    public IReadOnlyList<string>? IntrospectionClients { get; init; }

    /// <summary>64 hex characters: the server then demands DPoP nonces (RFC 9449 §8).</summary>
    public string? DpopNonceSecret { get; init; }

    /// <summary>A confidential client with no grants that may introspect tokens: a resource server.</summary>
    public static JsonObject ResourceServerClient(string clientId, string clientSecret) => new()
    {
        ["client_id"] = clientId,
        ["client_secret"] = clientSecret,
        ["grant_types"] = new JsonArray(),
        ["response_types"] = new JsonArray(),
        ["redirect_uris"] = new JsonArray(),
        ["token_endpoint_auth_method"] = "client_secret_basic",
    };

    /// <summary>The JSON the launcher reads.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
