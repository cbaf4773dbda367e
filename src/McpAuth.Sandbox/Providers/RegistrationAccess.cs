using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>
/// RFC 7591 §3: registration protected by an initial access token, as Okta and Keycloak do
/// (https://developer.okta.com/docs/reference/api/oauth-clients/, https://www.keycloak.org/securing-apps/client-registration):
/// 401 without a bearer token, 403 with a wrong one (<see cref="SandboxQuirks.RegistrationInitialAccessToken"/>).
/// </summary>
internal static class RegistrationAccess
{
    public static OAuthError? Refusal(HttpRequest request, SandboxQuirks quirks)
    {
        if (quirks.RegistrationInitialAccessToken is not { } expected)
        {
            return null;
        }
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return new OAuthError("invalid_token", "an initial access token is required to register", StatusCodes.Status401Unauthorized);
        }
        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(expected))
            ? null
            : new OAuthError("insufficient_scope", "the initial access token does not allow registration", StatusCodes.Status403Forbidden);
    }
}
