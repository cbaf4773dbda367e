using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>
/// Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3), strict like Keycloak,
/// Okta or Notion: exactly one method per request, the registered method only (<c>client_secret_basic</c> and
/// <c>client_secret_post</c> are not interchangeable), and no <c>client_id</c> in the body next to HTTP Basic.
/// </summary>
internal static class ClientAuthenticator
{
    public static SandboxClient? Authenticate(HttpRequest request, FormRequest form, SandboxAuthorizationServer server, out OAuthError? error)
    {
        var presented = ReadPresented(request, form, out error);
        if (presented is null)
        {
            return null;
        }
        var basic = presented.Method == SandboxAuthMethods.ClientSecretBasic;
        var client = server.ClientTable.Find(presented.ClientId);
        if (client is null)
        {
            error = OAuthError.InvalidClient("unknown client", basic);
            return null;
        }
        if (client.TokenEndpointAuthMethod != presented.Method)
        {
            error = OAuthError.InvalidClient(
                $"client authenticated with {presented.Method} but is registered for {client.TokenEndpointAuthMethod}", basic);
            return null;
        }
        if (presented.Method == SandboxAuthMethods.PrivateKeyJwt)
        {
            error = ClientAssertionValidator.Validate(presented.Secret!, client, server);
            return error is null ? client : null;
        }
        if (client.IsConfidential && !SecretsEqual(client.ClientSecret!, presented.Secret!))
        {
            error = OAuthError.InvalidClient("wrong client secret", basic);
            return null;
        }
        return client;
    }

    private static PresentedCredentials? ReadPresented(HttpRequest request, FormRequest form, out OAuthError? error)
    {
        error = null;
        var authorization = request.Headers.Authorization.ToString();
        var bodyId = form.Get("client_id");
        var bodySecret = form.Get("client_secret");
        if (authorization.Length > 0)
        {
            if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                error = OAuthError.InvalidClient("unsupported Authorization scheme", basic: false);
                return null;
            }
            if (bodySecret is not null)
            {
                error = OAuthError.InvalidRequest("more than one client authentication method (RFC 6749 §2.3)");
                return null;
            }
            if (bodyId is not null)
            {
                error = OAuthError.InvalidRequest("client_id must not be sent in the body with client_secret_basic");
                return null;
            }
            return DecodeBasic(authorization["Basic ".Length..].Trim(), out error);
        }
        if (form.Get("client_assertion_type") is { } assertionType)
        {
            return ReadAssertion(assertionType, bodyId, bodySecret, form.Get("client_assertion"), out error);
        }
        if (bodyId is null)
        {
            error = OAuthError.InvalidClient("no client authentication and no client_id", basic: false);
            return null;
        }
        return bodySecret is null
            ? new PresentedCredentials(SandboxAuthMethods.None, bodyId, null)
            : new PresentedCredentials(SandboxAuthMethods.ClientSecretPost, bodyId, bodySecret);
    }

    /// <summary>RFC 7523 §2.2: a JWT client assertion, alone (no secret) and with a <c>client_id</c> (as McpAuth sends it).</summary>
    private static PresentedCredentials? ReadAssertion(string type, string? clientId, string? secret, string? assertion, out OAuthError? error)
    {
        error = type != ClientAssertionValidator.AssertionType ? OAuthError.InvalidClient("unsupported client_assertion_type", basic: false)
            : assertion is null ? OAuthError.InvalidRequest("client_assertion is required")
            : secret is not null ? OAuthError.InvalidRequest("more than one client authentication method (RFC 6749 §2.3)")
            : clientId is null ? OAuthError.InvalidClient("client_id is required with a client assertion", basic: false)
            : null;
        return error is null ? new PresentedCredentials(SandboxAuthMethods.PrivateKeyJwt, clientId!, assertion) : null;
    }

    /// <summary>RFC 6749 §2.3.1: base64 of <c>urlencode(id):urlencode(secret)</c>.</summary>
    private static PresentedCredentials? DecodeBasic(string credentials, out OAuthError? error)
    {
        error = null;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(credentials));
        }
        catch (FormatException)
        {
            error = OAuthError.InvalidClient("malformed Basic credentials", basic: true);
            return null;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = OAuthError.InvalidClient("malformed Basic credentials", basic: true);
            return null;
        }
        return new PresentedCredentials(SandboxAuthMethods.ClientSecretBasic, FormDecode(decoded[..colon]), FormDecode(decoded[(colon + 1)..]));
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static bool SecretsEqual(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));

    private sealed record PresentedCredentials(string Method, string ClientId, string? Secret);
}
