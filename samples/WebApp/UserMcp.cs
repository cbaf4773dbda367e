using System.Security.Claims;
using McpAuth.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace McpAuth.Samples.WebApp;

/// <summary>Calls the MCP server as one user: the user's profile holds their tokens; no token yet means a redirect to sign in.</summary>
internal sealed class UserMcp(McpAuthClients clients, UserMcp.Settings settings)
{
    /// <summary>The MCP server the app calls.</summary>
    public sealed record Settings(Uri Server);

    // One connection pool for every user; each user's HttpClient adds their own McpAuth handler in front of it.
    private readonly SocketsHttpHandler _network = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    /// <summary>The McpAuth profile of a signed-in user, "tenant/user"; null when nobody is signed in.</summary>
    public static string? ProfileOf(ClaimsPrincipal user) =>
        user.FindFirst("tid")?.Value is { } tenant && user.FindFirst("oid")?.Value is { } id ? $"{tenant}/{id}" : null;

    /// <summary>The user's MCP tools, or a redirect to the MCP server's sign-in when the user has no token yet.</summary>
    public async Task<IResult> ListToolsAsync(string profile, CancellationToken ct)
    {
        // No interaction: a missing token throws InteractionRequired instead of opening anything on the server.
        var handler = clients.CreateHandler(profile, settings.Server);
        handler.InnerHandler = _network;
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = settings.Server, TransportMode = HttpTransportMode.StreamableHttp },
            new HttpClient(handler, disposeHandler: false), ownsHttpClient: true);
        try
        {
            await using var mcp = await McpClient.CreateAsync(transport, cancellationToken: ct);
            var tools = await mcp.ListToolsAsync(cancellationToken: ct);
            return Results.Ok(tools.Select(t => t.Name));
        }
        catch (Exception e) when (NeedsSignIn(e))
        {
            var start = await clients.BeginAuthorizationAsync(profile, settings.Server, ct);
            return Results.Redirect(start.AuthorizationUrl.AbsoluteUri);
        }
    }

    private static bool NeedsSignIn(Exception e) =>
        (e as McpAuthException ?? e.InnerException as McpAuthException)?.Code is McpAuthErrorCode.InteractionRequired or McpAuthErrorCode.LoginRequired;
}
