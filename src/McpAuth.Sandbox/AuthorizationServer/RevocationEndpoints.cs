using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>RFC 7009 token revocation and RFC 7662 token introspection, both behind client authentication.</summary>
internal static class RevocationEndpoints
{
    /// <summary>RFC 7009 §2: 200 for a revoked or unknown token, 400 for a token of another client (§2.1).</summary>
    public static async Task RevokeAsync(HttpContext context, SandboxAuthorizationServer server)
    {
        var (form, client) = await ReadAuthenticatedAsync(context, server).ConfigureAwait(false);
        if (client is null)
        {
            return;
        }
        var token = form!.Get("token");
        if (token is null)
        {
            await JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest("token is required")).ConfigureAwait(false);
            return;
        }
        if (server.Tokens.Revoke(token, client.ClientId) == RevocationOutcome.OtherClient)
        {
            await JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest("token was issued to another client")).ConfigureAwait(false);
            return;
        }
        JsonResponses.NoStore(context);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// RFC 7662 §2: confidential clients only (§4: the endpoint must not be open to token scanning). Any such client
    /// may introspect any token, like a resource server would.
    /// </summary>
    public static async Task IntrospectAsync(HttpContext context, SandboxAuthorizationServer server)
    {
        var (form, client) = await ReadAuthenticatedAsync(context, server).ConfigureAwait(false);
        if (client is null)
        {
            return;
        }
        if (!client.IsConfidential)
        {
            await JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidClient("introspection needs a confidential client", basic: false)).ConfigureAwait(false);
            return;
        }
        var value = form!.Get("token");
        if (value is null)
        {
            await JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest("token is required")).ConfigureAwait(false);
            return;
        }
        var token = server.Tokens.FindActive(value);
        JsonResponses.NoStore(context);
        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteBoolean("active", token is not null);
            if (token is null)
            {
                return;
            }
            writer.WriteString("scope", token.Scope.ToString());
            writer.WriteString("client_id", token.Grant.ClientId);
            writer.WriteString("sub", token.Grant.Subject);
            writer.WriteString("iss", server.IssuerIdentifier);
            writer.WriteNumber("iat", token.IssuedAt.ToUnixTimeSeconds());
            if (token.ExpiresAt is { } expires)
            {
                writer.WriteNumber("exp", expires.ToUnixTimeSeconds());
            }
            if (token.Grant.Resource is { } resource)
            {
                writer.WriteString("aud", resource);
            }
            if (token.Kind == TokenKind.Access)
            {
                writer.WriteString("token_type", "Bearer");
            }
        }).ConfigureAwait(false);
    }

    private static async Task<(FormRequest? Form, SandboxClient? Client)> ReadAuthenticatedAsync(HttpContext context, SandboxAuthorizationServer server)
    {
        var form = await FormRequest.ReadBodyAsync(context.Request).ConfigureAwait(false);
        if (form is null)
        {
            await JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest("body must be application/x-www-form-urlencoded")).ConfigureAwait(false);
            return (null, null);
        }
        if (form.FindDuplicate() is { } duplicate)
        {
            await JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest(duplicate + " sent more than once")).ConfigureAwait(false);
            return (null, null);
        }
        var client = ClientAuthenticator.Authenticate(context.Request, form, server, out var error);
        if (client is null)
        {
            await JsonResponses.OAuthErrorAsync(context, error!).ConfigureAwait(false);
        }
        return (form, client);
    }
}
