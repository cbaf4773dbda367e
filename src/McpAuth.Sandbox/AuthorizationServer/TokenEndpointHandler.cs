using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>
/// The token endpoint (RFC 6749 §3.2): <c>authorization_code</c> with PKCE, <c>refresh_token</c> with rotation and
/// replay detection, <c>client_credentials</c>. Successes per §5.1, errors per §5.2, both with <c>no-store</c>.
/// </summary>
internal static class TokenEndpointHandler
{
    public static async Task HandleAsync(HttpContext context, SandboxAuthorizationServer server)
    {
        var latency = server.Options.TokenLatency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, server.Options.TimeProvider, context.RequestAborted).ConfigureAwait(false);
        }
        var form = await FormRequest.ReadBodyAsync(context.Request).ConfigureAwait(false);
        if (form is null)
        {
            await JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest("body must be application/x-www-form-urlencoded")).ConfigureAwait(false);
            return;
        }
        ObserveReceivedSecrets(form, server.Options.SecretObserver);
        var grantType = form.Get("grant_type");
        if (grantType is not null)
        {
            server.Stats.Increment(SandboxCounters.TokenGrant(grantType));
            foreach (var name in form.Names)
            {
                server.Stats.Increment(SandboxCounters.TokenParameter(grantType, name));
            }
        }
        var outcome = Process(context.Request, form, grantType, server);
        var quirks = server.Options.Quirks;
        if (outcome.Error is not null)
        {
            await (ProviderTokenResponses.WriteError(context, outcome.Error, grantType, quirks)
                ?? JsonResponses.OAuthErrorAsync(context, outcome.Error)).ConfigureAwait(false);
            return;
        }
        await (ProviderTokenResponses.WriteTokens(context, outcome.Tokens!, grantType, quirks)
            ?? WriteTokensAsync(context, outcome.Tokens!)).ConfigureAwait(false);
    }

    private static TokenOutcome Process(HttpRequest request, FormRequest form, string? grantType, SandboxAuthorizationServer server)
    {
        if (form.FindDuplicate("resource") is { } duplicate)
        {
            return OAuthError.InvalidRequest(duplicate + " sent more than once");
        }
        if (ProviderRequestRules.CheckToken(form, server.Options.Quirks) is { } quirkError)
        {
            return quirkError;
        }
        var client = ClientAuthenticator.Authenticate(request, form, server, out var authError);
        if (client is null)
        {
            return authError!;
        }
        if (grantType is null)
        {
            return OAuthError.InvalidRequest("grant_type is required");
        }
        if (grantType == SandboxGrantTypes.JwtBearer && server.Options.JwtBearerAssertionValidator is not null)
        {
            return client.Allows(grantType) ? TokenGrantHandlers.JwtBearer(form, client, server)
                : OAuthError.UnauthorizedClient("client is not registered for this grant type");
        }
        if (!SandboxGrantTypes.All.Contains(grantType))
        {
            return new OAuthError("unsupported_grant_type", "grant type not supported");
        }
        if (!client.Allows(grantType))
        {
            return OAuthError.UnauthorizedClient("client is not registered for this grant type");
        }
        return grantType switch
        {
            SandboxGrantTypes.AuthorizationCode => TokenGrantHandlers.AuthorizationCode(form, client, server),
            SandboxGrantTypes.RefreshToken => TokenGrantHandlers.RefreshToken(form, client, server),
            _ => TokenGrantHandlers.ClientCredentials(form, client, server),
        };
    }

    /// <summary>The secrets only the client knew until now: PKCE verifiers, client secrets sent in the body, assertions.</summary>
    private static void ObserveReceivedSecrets(FormRequest form, Action<string, string>? observer)
    {
        foreach (var name in (string[])["code_verifier", "client_secret", "client_assertion"])
        {
            if (observer is not null && form.Get(name) is { } value)
            {
                observer(name, value);
            }
        }
    }

    private static Task WriteTokensAsync(HttpContext context, IssuedTokens tokens)
    {
        JsonResponses.NoStore(context);
        return JsonResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("access_token", tokens.AccessToken);
            writer.WriteString("token_type", "Bearer");
            writer.WriteNumber("expires_in", (long)Math.Ceiling(tokens.ExpiresIn.TotalSeconds));
            if (tokens.RefreshToken is not null)
            {
                writer.WriteString("refresh_token", tokens.RefreshToken);
            }
            writer.WriteString("scope", tokens.Scope.ToString());
        });
    }
}

/// <summary>The result of one grant: tokens, or the error to answer with.</summary>
internal readonly record struct TokenOutcome(IssuedTokens? Tokens, OAuthError? Error)
{
    public static implicit operator TokenOutcome(IssuedTokens tokens) => new(tokens, null);

    public static implicit operator TokenOutcome(OAuthError error) => new(null, error);
}
