using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace McpAuth.Tests.SdkServer;

/// <summary>
/// <c>--dpop required</c>: the MCP endpoint accepts only DPoP-bound access tokens (RFC 9449 §7.1), the way a resource
/// whose RFC 9728 metadata says <c>dpop_bound_access_tokens_required</c> does. The JWT bearer handler reads the token
/// from <c>Authorization: DPoP</c> only after <see cref="DPoPProofValidator"/> has accepted the request's proof, then
/// requires the validated token's <c>cnf.jkt</c> to be the proof key's thumbprint (§6.1). The Bearer scheme is
/// refused. Each refusal is written to stderr as <c>dpop: refused: REASON</c> (the tests read it).
/// </summary>
internal static class DPoPBoundTokens
{
    private const string ThumbprintItem = "dpop.jkt";

    /// <summary>The DPoP challenge (RFC 9449 §7.1) sent beside the SDK's Bearer challenge with its resource_metadata.</summary>
    public const string Challenge = "DPoP algs=\"ES256\"";

    public static void Require(JwtBearerOptions jwt, DPoPProofValidator validator) => jwt.Events = new JwtBearerEvents
    {
        OnMessageReceived = context =>
        {
            ReadToken(context, validator);
            return Task.CompletedTask;
        },
        OnTokenValidated = context =>
        {
            CheckBinding(context);
            return Task.CompletedTask;
        },
    };

    /// <summary>Adds the DPoP challenge to every 401 of the application.</summary>
    public static void AddChallenge(WebApplication app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.Append("WWW-Authenticate", Challenge);
            }
            return Task.CompletedTask;
        });
        return next(context);
    });

    private static void ReadToken(MessageReceivedContext context, DPoPProofValidator validator)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return; // no credentials: the SDK's challenge answers
        }
        if (!authorization.StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase))
        {
            Refuse(context, "not the DPoP scheme: this resource requires DPoP-bound tokens");
            return;
        }
        var proofs = request.Headers["DPoP"];
        if (proofs.Count != 1 || string.IsNullOrEmpty(proofs[0]))
        {
            Refuse(context, $"{proofs.Count} DPoP proofs, not one");
            return;
        }
        var token = authorization["DPoP ".Length..].Trim();
        var target = new Uri($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}");
        var check = validator.Check(proofs[0]!, request.Method, target, token);
        if (check.Error is not null)
        {
            Refuse(context, check.Error);
            return;
        }
        context.HttpContext.Items[ThumbprintItem] = check.Thumbprint;
        context.Token = token;
    }

    private static void CheckBinding(TokenValidatedContext context)
    {
        string? jkt = null;
        if (context.Principal?.FindFirst("cnf")?.Value is { } cnf)
        {
            using var json = JsonDocument.Parse(cnf);
            jkt = json.RootElement.TryGetProperty("jkt", out var value) ? value.GetString() : null;
        }
        if (jkt is null || jkt != context.HttpContext.Items[ThumbprintItem] as string)
        {
            Refuse(context, jkt is null ? "the token is not DPoP-bound (no cnf.jkt)" : "cnf.jkt is not the proof key's thumbprint");
        }
    }

    private static void Refuse(ResultContext<JwtBearerOptions> context, string reason)
    {
        Console.Error.WriteLine($"dpop: refused: {reason}");
        context.Fail(reason);
    }
}
