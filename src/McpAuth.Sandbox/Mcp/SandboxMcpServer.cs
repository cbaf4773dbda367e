using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>
/// A protected MCP server on 127.0.0.1: Streamable HTTP at <c>/mcp</c> (JSON responses), RFC 9728 protected
/// resource metadata at <c>/.well-known/oauth-protected-resource/mcp</c>, and RFC 6750 bearer challenges
/// (401 with <c>resource_metadata</c> and <c>scope</c>; 403 <c>insufficient_scope</c> for the <c>admin</c> tool).
/// Tokens are checked by an <see cref="ITokenValidator"/>, then for audience (the <c>/mcp</c> URL) and scope here.
/// </summary>
public sealed class SandboxMcpServer : IAsyncDisposable
{
    private const string MetadataPath = "/.well-known/oauth-protected-resource/mcp";
    private readonly ITokenValidator _validator;
    private LoopbackHost? _host;

    private SandboxMcpServer(SandboxMcpServerOptions options, ITokenValidator validator)
    {
        Options = options;
        _validator = validator;
    }

    /// <summary>The MCP endpoint, <c>http://127.0.0.1:PORT/mcp</c>; also the RFC 8707 resource tokens must be for.</summary>
    public Uri McpServerUrl => new(_host!.BaseUrl, "/mcp");

    /// <summary>The RFC 9728 §3.1 metadata URL (well-known segment inserted before <c>/mcp</c>).</summary>
    public Uri ResourceMetadataUrl => new(_host!.BaseUrl, MetadataPath);

    /// <summary>Request counters (<see cref="SandboxCounters.Mcp"/>, 401s, 403s, per JSON-RPC method).</summary>
    public SandboxStats Stats { get; } = new();

    internal SandboxMcpServerOptions Options { get; }

    /// <summary>Starts an MCP server that trusts <paramref name="validator"/> and names <see cref="SandboxMcpServerOptions.AuthorizationServers"/>.</summary>
    public static async Task<SandboxMcpServer> StartAsync(SandboxMcpServerOptions options, ITokenValidator validator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validator);
        var server = new SandboxMcpServer(options, validator);
        server._host = await LoopbackHost.StartAsync(server.HandleAsync, options.TlsCertificate, cancellationToken).ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path == "/mcp")
        {
            Stats.Increment(SandboxCounters.Mcp);
            return HttpMethods.IsPost(context.Request.Method) ? HandleMcpAsync(context) : MethodNotAllowed(context);
        }
        if (path == MetadataPath && HttpMethods.IsGet(context.Request.Method))
        {
            Stats.Increment(SandboxCounters.ProtectedResourceMetadata);
            return ProtectedResourceMetadata.WriteAsync(context, this);
        }
        return path == "/__stats" && Options.ExposeStatsEndpoint && HttpMethods.IsGet(context.Request.Method)
            ? StatsEndpoint.WriteAsync(context, Stats)
            : SandboxAuthorizationServer.NotRouted(context, Stats);
    }

    private async Task HandleMcpAsync(HttpContext context)
    {
        if (McpRequestChecks.Reject(context.Request) is { } status)
        {
            context.Response.StatusCode = status;
            return;
        }
        var token = BearerToken(context.Request);
        if (token is null)
        {
            await ChallengeAsync(context, error: null, description: null).ConfigureAwait(false);
            return;
        }
        SandboxTokenInfo? info;
        try
        {
            info = await _validator.ValidateAsync(token, context.RequestAborted).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // The authorization server could not say: an outage, not an invalid token (no 401, so no re-login).
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        var problem = info is null ? "token is not active" : AudienceProblem(info);
        if (problem is not null)
        {
            await ChallengeAsync(context, "invalid_token", problem).ConfigureAwait(false);
            return;
        }
        if (Options.RequiredScope.Length > 0 && !info!.Scopes.Contains(Options.RequiredScope, StringComparer.Ordinal))
        {
            await ForbidAsync(context, Options.RequiredScope).ConfigureAwait(false);
            return;
        }
        await McpJsonRpc.HandleAsync(context, this, info!).ConfigureAwait(false);
    }

    /// <summary>RFC 8707 / MCP authorization: the token must be for this resource.</summary>
    private string? AudienceProblem(SandboxTokenInfo info)
    {
        if (info.Audiences.Count == 0)
        {
            return Options.AcceptTokensWithoutAudience ? null : "token has no audience";
        }
        return info.Audiences.Contains(McpServerUrl.AbsoluteUri, StringComparer.Ordinal) ? null : "token is for another resource";
    }

    /// <summary>RFC 6750 §2.1: <c>Authorization: Bearer &lt;token&gt;</c>, the only method this server accepts.</summary>
    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    /// <summary>401 per RFC 6750 §3 and RFC 9728 §5.1; no <c>error</c> when the request carried no token (§3.1).</summary>
    private Task ChallengeAsync(HttpContext context, string? error, string? description)
    {
        Stats.Increment(SandboxCounters.McpUnauthorized);
        var scope = Options.RequiredScope.Length > 0 ? Options.RequiredScope : null;
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = BearerChallenge.Format(error, description, scope, ResourceMetadataUrl.AbsoluteUri);
        return Task.CompletedTask;
    }

    /// <summary>403 <c>insufficient_scope</c> naming every scope the request needs (RFC 6750 §3.1, MCP step-up).</summary>
    internal Task ForbidAsync(HttpContext context, string scope)
    {
        Stats.Increment(SandboxCounters.McpForbidden);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers.WWWAuthenticate = BearerChallenge.Format("insufficient_scope", null, scope, ResourceMetadataUrl.AbsoluteUri);
        return Task.CompletedTask;
    }

    private static Task MethodNotAllowed(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = "POST";
        return Task.CompletedTask;
    }
}
