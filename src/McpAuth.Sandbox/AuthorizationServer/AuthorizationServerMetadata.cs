using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>The RFC 8414 §2 authorization server metadata document.</summary>
internal static class AuthorizationServerMetadata
{
    private static readonly string[] AuthMethods = [SandboxAuthMethods.None, SandboxAuthMethods.ClientSecretBasic, SandboxAuthMethods.ClientSecretPost];
    private static readonly string[] SecretMethods = [SandboxAuthMethods.ClientSecretBasic, SandboxAuthMethods.ClientSecretPost];

    public static Task WriteAsync(HttpContext context, SandboxAuthorizationServer server) =>
        JsonResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("issuer", server.IssuerIdentifier);
            writer.WriteString("authorization_endpoint", server.AuthorizationEndpoint.AbsoluteUri);
            writer.WriteString("token_endpoint", server.TokenEndpoint.AbsoluteUri);
            var quirks = server.Options.Quirks;
            if (!quirks.NoRegistrationEndpoint)
            {
                writer.WriteString("registration_endpoint", server.RegistrationEndpoint.AbsoluteUri);
            }
            if (!quirks.NoRevocationEndpoint)
            {
                writer.WriteString("revocation_endpoint", server.RevocationEndpoint.AbsoluteUri);
            }
            writer.WriteString("introspection_endpoint", server.IntrospectionEndpoint.AbsoluteUri);
            writer.WriteStringArray("scopes_supported", server.Options.Scopes.Append("offline_access").Distinct());
            writer.WriteStringArray("response_types_supported", ["code"]);
            writer.WriteStringArray("response_modes_supported", ["query"]);
            writer.WriteStringArray("grant_types_supported", SandboxGrantTypes.All);
            if (!quirks.OmitCodeChallengeMethods)
            {
                writer.WriteStringArray("code_challenge_methods_supported", ["S256"]);
            }
            var methods = quirks.PrivateKeyJwt ? [.. AuthMethods, SandboxAuthMethods.PrivateKeyJwt] : AuthMethods;
            writer.WriteStringArray("token_endpoint_auth_methods_supported", methods);
            if (quirks.PrivateKeyJwt)
            {
                writer.WriteStringArray("token_endpoint_auth_signing_alg_values_supported", ClientAssertionValidator.Algorithms);
            }
            writer.WriteStringArray("revocation_endpoint_auth_methods_supported", methods);
            writer.WriteStringArray("introspection_endpoint_auth_methods_supported", SecretMethods);
            writer.WriteBoolean("authorization_response_iss_parameter_supported", true);
        });
}

/// <summary><c>GET /__stats</c>: the counters as one JSON object.</summary>
internal static class StatsEndpoint
{
    public static Task WriteAsync(HttpContext context, SandboxStats stats) =>
        JsonResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            foreach (var (name, value) in stats.Snapshot())
            {
                writer.WriteNumber(name, value);
            }
        });
}
