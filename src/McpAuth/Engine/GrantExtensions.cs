using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>
/// Glue to the grant builders of the protocol layer (private_key_jwt, DPoP keys, JWT bearer, token exchange).
/// </summary>
internal sealed class GrantExtensions(McpAuthOptions options)
{
    public const string JwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    public IClientAssertionFactory? ClientAssertions => null;

    public IDPoPProofSigner? NewDPoPKey(AuthorizationServerMetadata server) => null;

    public IDPoPProofSigner? DPoPKeyFromJwk(string jwk) => null;

    public Task<List<KeyValuePair<string, string>>> WorkloadParametersAsync(string? scope, string resource, CancellationToken ct) =>
        throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, options.Grant.ToString());

    public Task<List<KeyValuePair<string, string>>> EnterpriseParametersAsync(
        TokenEndpoint tokens, DiscoveryResult discovery, string? scope, CancellationToken ct) =>
        throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, options.Grant.ToString());
}
